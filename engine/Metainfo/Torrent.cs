using EzioPxe.Engine.Bencode;

namespace EzioPxe.Engine.Metainfo;

/// <summary>A parsed .torrent file (BEP 3 metainfo, v1).</summary>
public sealed class Torrent
{
    internal Torrent(TorrentInfo info, string? announce, IReadOnlyList<IReadOnlyList<string>> announceList, BDictionary root, ReadOnlyMemory<byte> bytes)
    {
        Info = info;
        Announce = announce;
        AnnounceList = announceList;
        Root = root;
        Bytes = bytes;
    }

    public TorrentInfo Info { get; }

    public InfoHash InfoHash => Info.InfoHash;

    public string? Announce { get; }

    /// <summary>BEP 12 tiers; empty when the torrent has none.</summary>
    public IReadOnlyList<IReadOnlyList<string>> AnnounceList { get; }

    /// <summary>Every tracker URL, tiers first then the plain announce, without duplicates.</summary>
    public IReadOnlyList<string> Trackers
    {
        get
        {
            var all = AnnounceList.SelectMany(tier => tier).ToList();
            if (Announce != null)
            {
                all.Add(Announce);
            }
            return all.Distinct(StringComparer.Ordinal).ToList();
        }
    }

    /// <summary>The whole parsed document, for keys outside info.</summary>
    public BDictionary Root { get; }

    /// <summary>The exact bytes this torrent was parsed from.</summary>
    public ReadOnlyMemory<byte> Bytes { get; }

    public static Torrent Parse(ReadOnlyMemory<byte> bytes) => TorrentParser.Parse(bytes);

    public static Torrent Load(string path) => Parse(File.ReadAllBytes(path));
}

using EzioPxe.Engine.Bencode;
using EzioPxe.Engine.Metainfo;

namespace EzioPxe.Server.Seeding;

/// <summary>
/// Copies of a torrent with other tracker URLs. "announce" lies outside the info dictionary, so the
/// info-hash is unchanged: the same swarm, reached through the URL that works from where the client is.
/// </summary>
public static class TorrentAnnounce
{
    /// <summary>The torrent with "announce" set to <paramref name="announce"/> (null: no tracker at all) and no "announce-list".</summary>
    public static Torrent With(Torrent torrent, string? announce)
    {
        // A fresh parse: Root is the shared torrent's own dictionary and must not change.
        var copy = Torrent.Parse(torrent.Bytes);
        var root = copy.Root;
        root["announce-list"] = null;
        root["announce"] = announce == null ? null : new BString(announce);
        var rewritten = Torrent.Parse(BencodeWriter.Encode(root));
        if (rewritten.InfoHash != torrent.InfoHash)
        {
            // The parser accepts only canonical bencode, so re-encoding keeps the info bytes; this guards that belief.
            throw new InvalidOperationException($"rewriting the announce URL of {torrent.Info.Name} changed its info-hash");
        }
        return rewritten;
    }
}

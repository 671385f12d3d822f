using EzioPxe.Engine.Bencode;

namespace EzioPxe.Engine.Metainfo;

/// <summary>Turns bencoded bytes into a <see cref="Torrent"/>, refusing anything a peer or disk could be hurt by.</summary>
internal static class TorrentParser
{
    /// <summary>libtorrent refuses pieces above 128 MiB too; beyond that one piece would not fit a client's RAM budget.</summary>
    private const int MaxPieceLength = 128 * 1024 * 1024;

    public static Torrent Parse(ReadOnlyMemory<byte> bytes)
    {
        BValue parsed;
        try
        {
            parsed = BencodeParser.Parse(bytes);
        }
        catch (BencodeException e)
        {
            throw new InvalidTorrentException($"not a torrent: {e.Message}", e);
        }
        if (parsed is not BDictionary root)
        {
            throw new InvalidTorrentException("not a torrent: the top level is not a dictionary");
        }
        var infoDictionary = root.GetDictionary("info") ?? throw new InvalidTorrentException("missing 'info' dictionary");
        var infoHash = InfoHash.Compute(bytes.Span.Slice(infoDictionary.Span.Start, infoDictionary.Span.Length));
        var info = ParseInfo(infoDictionary, infoHash);

        string? announce = null;
        if (root["announce"] is BValue announceValue)
        {
            announce = (announceValue as BString ?? throw new InvalidTorrentException("'announce' is not a string")).Text;
        }
        var tiers = new List<IReadOnlyList<string>>();
        if (root["announce-list"] is BValue listValue)
        {
            var list = listValue as BList ?? throw new InvalidTorrentException("'announce-list' is not a list");
            foreach (var tier in list.Items)
            {
                var urls = (tier as BList ?? throw new InvalidTorrentException("an 'announce-list' tier is not a list"))
                    .Items.Select(u => (u as BString ?? throw new InvalidTorrentException("an 'announce-list' URL is not a string")).Text)
                    .ToList();
                if (urls.Count > 0)
                {
                    tiers.Add(urls);
                }
            }
        }
        return new Torrent(info, announce, tiers, root, bytes);
    }

    private static TorrentInfo ParseInfo(BDictionary info, InfoHash infoHash)
    {
        var name = RequireString(info, "name");
        CheckPathSegment(name, "name");
        var pieceLength = RequireInteger(info, "piece length");
        if (pieceLength <= 0 || pieceLength > MaxPieceLength)
        {
            throw new InvalidTorrentException($"'piece length' {pieceLength} is outside 1..{MaxPieceLength}");
        }
        var pieces = info.GetString("pieces") ?? throw new InvalidTorrentException("missing 'pieces'");
        if (pieces.Bytes.Length % 20 != 0)
        {
            throw new InvalidTorrentException($"'pieces' is {pieces.Bytes.Length} bytes, not a multiple of 20");
        }
        var isPrivate = info.GetInteger("private")?.Value == 1;

        var files = new List<TorrentFile>();
        bool isMultiFile;
        if (info["files"] is BValue filesValue)
        {
            if (info.ContainsKey("length"))
            {
                throw new InvalidTorrentException("info has both 'length' and 'files'");
            }
            isMultiFile = true;
            var list = filesValue as BList ?? throw new InvalidTorrentException("'files' is not a list");
            long offset = 0;
            for (var i = 0; i < list.Count; i++)
            {
                var entry = list[i] as BDictionary ?? throw new InvalidTorrentException($"files[{i}] is not a dictionary");
                var length = RequireInteger(entry, "length", $"files[{i}].");
                if (length < 0)
                {
                    throw new InvalidTorrentException($"files[{i}].length is negative");
                }
                var path = entry.GetList("path") ?? throw new InvalidTorrentException($"files[{i}] has no 'path' list");
                if (path.Count == 0)
                {
                    throw new InvalidTorrentException($"files[{i}].path is empty");
                }
                var segments = new string[path.Count];
                for (var s = 0; s < path.Count; s++)
                {
                    segments[s] = (path[s] as BString ?? throw new InvalidTorrentException($"files[{i}].path[{s}] is not a string")).Text;
                    CheckPathSegment(segments[s], $"files[{i}].path");
                }
                if (length > long.MaxValue - offset)
                {
                    // Found by fuzzing: an unchecked sum wraps negative, a checked one threw OverflowException.
                    throw new InvalidTorrentException($"the file lengths add up past {long.MaxValue} bytes at files[{i}]");
                }
                files.Add(new TorrentFile(segments, length, offset));
                offset += length;
            }
        }
        else
        {
            isMultiFile = false;
            var length = RequireInteger(info, "length");
            if (length < 0)
            {
                throw new InvalidTorrentException("'length' is negative");
            }
            files.Add(new TorrentFile(new[] { name }, length, 0));
        }

        var total = files.Count == 0 ? 0 : files[^1].End;
        var expectedPieces = total / pieceLength + (total % pieceLength == 0 ? 0 : 1); // total + pieceLength - 1 could overflow
        if (pieces.Bytes.Length / 20 != expectedPieces)
        {
            throw new InvalidTorrentException($"'pieces' holds {pieces.Bytes.Length / 20} hashes but {total} bytes in pieces of {pieceLength} need {expectedPieces}");
        }
        return new TorrentInfo(infoHash, name, (int)pieceLength, pieces.Bytes, files, isMultiFile, isPrivate, info);
    }

    private static string RequireString(BDictionary dictionary, string key, string prefix = "")
        => (dictionary[key] ?? throw new InvalidTorrentException($"missing '{prefix}{key}'")) is BString s
            ? s.Text
            : throw new InvalidTorrentException($"'{prefix}{key}' is not a string");

    private static long RequireInteger(BDictionary dictionary, string key, string prefix = "")
        => (dictionary[key] ?? throw new InvalidTorrentException($"missing '{prefix}{key}'")) is BInteger i
            ? i.Value
            : throw new InvalidTorrentException($"'{prefix}{key}' is not an integer");

    /// <summary>A path segment must not climb out of the download directory or hide a separator.</summary>
    private static void CheckPathSegment(string segment, string where)
    {
        if (segment.Length == 0 || segment == "." || segment == ".." || segment.Contains('/') || segment.Contains('\\') || segment.Contains('\0'))
        {
            throw new InvalidTorrentException($"unsafe path segment '{segment}' in {where}");
        }
    }
}

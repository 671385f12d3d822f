using System.Security.Cryptography;
using EzioPxe.Engine.Bencode;

namespace EzioPxe.Engine.Metainfo;

/// <summary>
/// Writes a v1 .torrent. The caller either supplies piece hashes it computed itself (the image
/// scanner hashes extents of a disk) or lets <see cref="HashDirectory"/> compute them from files.
/// </summary>
public sealed class TorrentBuilder
{
    public required string Name { get; init; }

    public required int PieceLength { get; init; }

    /// <summary>Files in torrent order; paths use '/' between segments.</summary>
    public required IReadOnlyList<(string Path, long Length)> Files { get; init; }

    /// <summary>The concatenated SHA-1 of each piece.</summary>
    public required ReadOnlyMemory<byte> PieceHashes { get; init; }

    /// <summary>Single-file form ("length" in info) instead of a directory; needs exactly one file.</summary>
    public bool SingleFile { get; init; }

    public string? Announce { get; init; }

    public IReadOnlyList<IReadOnlyList<string>>? AnnounceList { get; init; }

    public bool IsPrivate { get; init; }

    public string? Comment { get; init; }

    public string CreatedBy { get; init; } = "EzioPxe";

    /// <summary>Extra keys of the info dictionary (covered by the info-hash).</summary>
    public IReadOnlyDictionary<string, BValue>? ExtraInfo { get; init; }

    /// <summary>Extra keys outside info (not covered by the info-hash).</summary>
    public IReadOnlyDictionary<string, BValue>? ExtraRoot { get; init; }

    public byte[] Build()
    {
        var info = new BDictionary();
        info.Set("name", Name);
        info.Set("piece length", PieceLength);
        info.Set("pieces", PieceHashes);
        if (IsPrivate)
        {
            info.Set("private", 1);
        }
        if (SingleFile)
        {
            if (Files.Count != 1)
            {
                throw new InvalidOperationException("a single-file torrent needs exactly one file");
            }
            info.Set("length", Files[0].Length);
        }
        else
        {
            var files = new BList();
            foreach (var (path, length) in Files)
            {
                var entry = new BDictionary();
                entry.Set("length", length);
                entry.Set("path", new BList(path.Split('/').Select(s => (BValue)new BString(s))));
                files.Add(entry);
            }
            info.Set("files", files);
        }
        foreach (var (key, value) in ExtraInfo ?? new Dictionary<string, BValue>())
        {
            info.Set(key, value);
        }

        var root = new BDictionary();
        if (Announce != null)
        {
            root.Set("announce", Announce);
        }
        if (AnnounceList is { Count: > 0 })
        {
            root.Set("announce-list", new BList(AnnounceList.Select(tier => (BValue)new BList(tier.Select(u => (BValue)new BString(u))))));
        }
        if (Comment != null)
        {
            root.Set("comment", Comment);
        }
        root.Set("created by", CreatedBy);
        root.Set("creation date", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        root.Set("info", info);
        foreach (var (key, value) in ExtraRoot ?? new Dictionary<string, BValue>())
        {
            root.Set(key, value);
        }
        var bytes = BencodeWriter.Encode(root);
        // Parse what we wrote: the builder must never emit a torrent our own parser refuses.
        TorrentParser.Parse(bytes);
        return bytes;
    }

    /// <summary>Hashes the files (in the given order, relative to <paramref name="directory"/>) as one stream cut into pieces.</summary>
    public static byte[] HashFiles(string directory, IReadOnlyList<(string Path, long Length)> files, int pieceLength)
    {
        var total = files.Sum(f => f.Length);
        var hashes = new byte[(int)((total + pieceLength - 1) / pieceLength) * 20];
        var piece = new byte[pieceLength];
        var filled = 0;
        var index = 0;
        foreach (var (path, _) in files)
        {
            using var stream = File.OpenRead(System.IO.Path.Combine(directory, path));
            int read;
            while ((read = stream.Read(piece, filled, pieceLength - filled)) > 0)
            {
                filled += read;
                if (filled == pieceLength)
                {
                    SHA1.HashData(piece, hashes.AsSpan(index++ * 20, 20));
                    filled = 0;
                }
            }
        }
        if (filled > 0)
        {
            SHA1.HashData(piece.AsSpan(0, filled), hashes.AsSpan(index * 20, 20));
        }
        return hashes;
    }

    /// <summary>A torrent of every file under <paramref name="directory"/> (sorted by path), named after the directory.</summary>
    public static byte[] FromDirectory(string directory, int pieceLength, string? announce = null, bool isPrivate = false)
    {
        var files = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(f => (Path: System.IO.Path.GetRelativePath(directory, f).Replace('\\', '/'), Length: new FileInfo(f).Length))
            .OrderBy(f => f.Path, StringComparer.Ordinal)
            .ToList();
        return new TorrentBuilder
        {
            Name = System.IO.Path.GetFileName(System.IO.Path.TrimEndingDirectorySeparator(directory)),
            PieceLength = pieceLength,
            Files = files,
            PieceHashes = HashFiles(directory, files, pieceLength),
            Announce = announce,
            IsPrivate = isPrivate,
        }.Build();
    }
}

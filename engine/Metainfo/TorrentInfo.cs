using EzioPxe.Engine.Bencode;

namespace EzioPxe.Engine.Metainfo;

/// <summary>The info dictionary of a v1 torrent: what the info-hash covers.</summary>
public sealed class TorrentInfo
{
    internal TorrentInfo(InfoHash infoHash, string name, int pieceLength, ReadOnlyMemory<byte> pieceHashes,
        IReadOnlyList<TorrentFile> files, bool isMultiFile, bool isPrivate, BDictionary dictionary)
    {
        InfoHash = infoHash;
        Name = name;
        PieceLength = pieceLength;
        PieceHashes = pieceHashes;
        Files = files;
        IsMultiFile = isMultiFile;
        IsPrivate = isPrivate;
        Dictionary = dictionary;
        TotalLength = files.Count == 0 ? 0 : files[^1].End;
        PieceCount = pieceHashes.Length / 20;
    }

    public InfoHash InfoHash { get; }

    public string Name { get; }

    /// <summary>Bytes per piece; the last piece may be shorter.</summary>
    public int PieceLength { get; }

    /// <summary>The concatenated 20-byte SHA-1 of every piece.</summary>
    public ReadOnlyMemory<byte> PieceHashes { get; }

    public IReadOnlyList<TorrentFile> Files { get; }

    /// <summary>True for the "files" form (a directory), false for the single "length" form.</summary>
    public bool IsMultiFile { get; }

    /// <summary>BEP 27: peers only from the tracker (no DHT, no PEX).</summary>
    public bool IsPrivate { get; }

    /// <summary>The parsed dictionary, for keys of our own (e.g. the disk size of an image).</summary>
    public BDictionary Dictionary { get; }

    public long TotalLength { get; }

    public int PieceCount { get; }

    public int GetPieceSize(int piece)
    {
        if ((uint)piece >= (uint)PieceCount)
        {
            throw new ArgumentOutOfRangeException(nameof(piece), piece, $"the torrent has {PieceCount} pieces");
        }
        return piece == PieceCount - 1 ? (int)(TotalLength - (long)piece * PieceLength) : PieceLength;
    }

    public ReadOnlySpan<byte> GetPieceHash(int piece) => PieceHashes.Span.Slice(piece * 20, 20);
}

using System.Security.Cryptography;
using EzioPxe.Client.Storage;
using EzioPxe.Contracts.Images;
using EzioPxe.Engine.Bencode;
using EzioPxe.Engine.Metainfo;

namespace EzioPxe.Client.Tests.Storage;

/// <summary>A disk-image torrent built from extents (offset, bytes), named the EZIO way, with its pieces at hand.</summary>
public sealed class ImageTorrent
{
    public ImageTorrent(int pieceLength, IReadOnlyList<(long Offset, byte[] Bytes)> extents, long? diskSize = null, Func<long, string>? name = null, string? announce = null,
        IReadOnlyDictionary<string, BValue>? info = null)
    {
        Extents = extents;
        Stream = extents.SelectMany(e => e.Bytes).ToArray();
        var hashes = new byte[(Stream.Length + pieceLength - 1) / pieceLength * 20];
        for (var p = 0; p * 20 < hashes.Length; p++)
        {
            SHA1.HashData(Stream.AsSpan(p * pieceLength, Math.Min(pieceLength, Stream.Length - p * pieceLength)), hashes.AsSpan(p * 20, 20));
        }
        var extra = new Dictionary<string, BValue>();
        if (diskSize != null)
        {
            extra[ImageInfoKeys.DiskSize] = new BInteger(diskSize.Value);
        }
        foreach (var (key, value) in info ?? new Dictionary<string, BValue>())
        {
            extra[key] = value;
        }
        Bytes = new TorrentBuilder
        {
            Announce = announce,
            Name = "image",
            PieceLength = pieceLength,
            Files = extents.Select(e => ((name ?? ExtentName.Format)(e.Offset), (long)e.Bytes.Length)).ToList(),
            PieceHashes = hashes,
            ExtraInfo = extra,
        }.Build();
        Info = Torrent.Parse(Bytes).Info;
    }

    /// <summary>The .torrent file's bytes.</summary>
    public byte[] Bytes { get; }

    /// <summary>Writes each extent as a file named like the torrent's, so an ordinary client can seed them from <paramref name="directory"/>/image.</summary>
    public void WriteFiles(string directory)
    {
        var root = System.IO.Path.Combine(directory, Info.Name);
        Directory.CreateDirectory(root);
        for (var i = 0; i < Extents.Count; i++)
        {
            File.WriteAllBytes(System.IO.Path.Combine(root, Info.Files[i].Path), Extents[i].Bytes);
        }
    }

    public TorrentInfo Info { get; }

    public IReadOnlyList<(long Offset, byte[] Bytes)> Extents { get; }

    /// <summary>All files concatenated: the torrent's byte stream.</summary>
    public byte[] Stream { get; }

    public ReadOnlyMemory<byte> Piece(int index) => Stream.AsMemory(index * Info.PieceLength, Info.GetPieceSize(index));

    /// <summary>What the disk must hold afterwards: <paramref name="before"/> with every extent laid over it.</summary>
    public byte[] Apply(byte[] before)
    {
        var after = (byte[])before.Clone();
        foreach (var (offset, bytes) in Extents)
        {
            bytes.CopyTo(after, offset);
        }
        return after;
    }

    public static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}

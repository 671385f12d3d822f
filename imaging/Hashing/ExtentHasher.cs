using EzioPxe.Imaging.Extents;

namespace EzioPxe.Imaging.Hashing;

/// <summary>
/// SHA-1 piece hashes (BitTorrent v1) over the concatenation of the extents, in order — the
/// content of a multi-file torrent whose files are the extents, with no padding files. The
/// extents are read front to back straight into a <see cref="StreamingPieceHasher"/>'s batches
/// (holes of a sparse image come back as zeros without I/O), which hashes each full batch on
/// every core while the next one is read. <see cref="ImageHashing"/> uses this only when the
/// scan's own read could not be hashed.
/// </summary>
public static class ExtentHasher
{
    public static byte[] ComputePieceHashes(DiskImage disk, IReadOnlyList<Extent> extents, int pieceLength,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        using var hasher = new StreamingPieceHasher(pieceLength, progress);
        foreach (var extent in extents)
        {
            hasher.Read(extent.Offset, extent.Length, disk.Read, cancellationToken);
        }
        return hasher.Complete();
    }
}

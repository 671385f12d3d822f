namespace EzioPxe.Imaging.Hashing;

/// <summary>A scanned disk with its piece hashes: everything an image torrent needs.</summary>
/// <param name="OnePass">Whether the hashes came from the scan's own read (false: the extents were read again).</param>
public sealed record HashedScan(DiskScan Scan, int PieceLength, byte[] PieceHashes, bool OnePass);

/// <summary>
/// Scans a disk and hashes what travels, in one read where it can: the scan reads every used
/// block to find zero runs, and what it keeps is hashed as it goes (<see cref="StreamingPieceHasher"/>).
/// The piece length is chosen before the read from the bytes the metadata says may travel; if the
/// zero runs cut out make the rule choose a smaller length, or the regions overlap (a damaged
/// partition table), the kept extents are read and hashed again, as before (<see cref="ExtentHasher"/>).
/// </summary>
public static class ImageHashing
{
    /// <param name="pieceLength">A fixed piece length, or null for <see cref="Hashing.PieceLength.Choose"/> of the bytes that travel.</param>
    public static HashedScan ScanAndHash(DiskImage disk, int? pieceLength = null, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
        => ScanAndHash(disk, pieceLength, PieceLength.Choose, progress, cancellationToken);

    /// <param name="choose">The piece length rule (tests pass one whose choice the zero runs change).</param>
    internal static HashedScan ScanAndHash(DiskImage disk, int? pieceLength, Func<long, int> choose, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        StreamingPieceHasher? hasher = null;
        try
        {
            var (scan, streamed) = DiskScanner.Scan(disk, candidateBytes =>
            {
                hasher = new StreamingPieceHasher(pieceLength ?? choose(candidateBytes), progress);
                return hasher;
            }, cancellationToken);
            var length = pieceLength ?? choose(scan.UsedBytes);
            if (streamed && hasher != null && hasher.PieceLength == length && hasher.Length == scan.UsedBytes)
            {
                return new HashedScan(scan, length, hasher.Complete(), OnePass: true);
            }
            // Give back its batches (96 MiB) before the second read takes its own.
            hasher?.Dispose();
            hasher = null;
            return new HashedScan(scan, length, ExtentHasher.ComputePieceHashes(disk, scan.Extents, length, progress, cancellationToken), OnePass: false);
        }
        finally
        {
            hasher?.Dispose();
        }
    }
}

namespace EzioPxe.Imaging.Extents;

/// <summary>
/// "Keep whole minus runs of zeros": for regions whose bytes all matter but that we cannot
/// interpret (unknown or damaged filesystems, partition table areas, boot loader gaps) every
/// 4 KiB block that holds a non-zero byte travels, and every other block goes to the list of
/// ranges the client zeroes locally (the target's old bytes must not show through). Holes of a
/// sparse image are zero blocks found without reading.
/// </summary>
public static class ZeroRuns
{
    /// <summary>Granule of the zero test: one page, and a multiple of every sector size.</summary>
    public const int BlockSize = 4096;

    private const int ChunkSize = 4 << 20;

    /// <summary>
    /// Adds the non-zero 4 KiB blocks of [start, start+length) (clipped to the disk) to
    /// <paramref name="into"/> and the all-zero ones to <paramref name="zeros"/>; returns the bytes added to <paramref name="into"/>.
    /// </summary>
    public static long AddNonZero(DiskImage disk, long start, long length, ExtentListBuilder into, ExtentListBuilder zeros)
    {
        var end = Math.Min(start + length, disk.Size);
        long kept = 0;
        var buffer = new byte[ChunkSize];
        var done = start;
        foreach (var (dataStart, dataEnd) in disk.DataWithin(start, end).ToList())
        {
            // Blocks are counted from the region start so that they stay as aligned as it is.
            var position = Math.Max(done, start + (dataStart - start) / BlockSize * BlockSize);
            zeros.Add(done, position - done); // a hole: zeros without reading
            while (position < dataEnd)
            {
                var count = (int)Math.Min(ChunkSize, end - position);
                var chunk = buffer.AsSpan(0, count);
                disk.Read(position, chunk);
                for (var at = 0; at < count; at += BlockSize)
                {
                    var block = chunk.Slice(at, Math.Min(BlockSize, count - at));
                    if (block.ContainsAnyExcept((byte)0))
                    {
                        into.Add(position + at, block.Length);
                        kept += block.Length;
                    }
                    else
                    {
                        zeros.Add(position + at, block.Length);
                    }
                }
                position += count;
            }
            done = Math.Max(done, position);
        }
        zeros.Add(done, end - done);
        return kept;
    }
}

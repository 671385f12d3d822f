using EzioPxe.Imaging.Hashing;

namespace EzioPxe.Imaging.Extents;

/// <summary>
/// Splits a region whose bytes all matter into what travels and what the client zeroes
/// locally: every 4 KiB block (counted from the region's start) that holds a non-zero byte
/// travels; a run of all-zero blocks (holes of a sparse image are such runs, found without
/// reading) goes to the zero list when it is at least <c>minimumZeroRun</c> long, and travels
/// otherwise (cutting a used file-system extent at every zero block would make thousands of
/// tiny files).
/// </summary>
public static class ZeroRuns
{
    /// <summary>Granule of the zero test: one page, and a multiple of every sector size.</summary>
    public const int BlockSize = 4096;

    /// <summary>The shortest zero run cut out of a file system's used extents (64 KiB).</summary>
    public const int UsedExtentMinimumZeroRun = 64 << 10;

    private const int ChunkSize = 4 << 20;

    /// <summary>
    /// Adds the travelling part of [start, start+length) (clipped to the disk) to
    /// <paramref name="into"/> and its zero runs to <paramref name="zeros"/>; returns the bytes
    /// added to <paramref name="into"/>. What travels also goes to <paramref name="sink"/>, in order.
    /// </summary>
    public static long AddNonZero(DiskImage disk, long start, long length, ExtentListBuilder into, ExtentListBuilder zeros, long minimumZeroRun = BlockSize,
        ITravelSink? sink = null, CancellationToken cancellationToken = default)
    {
        var end = Math.Min(start + length, disk.Size);
        var split = new Splitter(into, zeros, minimumZeroRun, sink);
        var buffer = new byte[ChunkSize];
        var done = start;
        foreach (var (dataStart, dataEnd) in disk.DataWithin(start, end).ToList())
        {
            // Blocks are counted from the region start so that they stay as aligned as it is.
            var position = Math.Max(done, start + (dataStart - start) / BlockSize * BlockSize);
            split.Zero(done, position); // a hole: zeros without reading
            while (position < dataEnd)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var count = (int)Math.Min(ChunkSize, end - position);
                var chunk = buffer.AsSpan(0, count);
                disk.Read(position, chunk);
                for (var at = 0; at < count; at += BlockSize)
                {
                    var block = chunk.Slice(at, Math.Min(BlockSize, count - at));
                    if (block.ContainsAnyExcept((byte)0))
                    {
                        split.Data(position + at, block);
                    }
                    else
                    {
                        split.Zero(position + at, position + at + block.Length);
                    }
                }
                position += count;
            }
            done = Math.Max(done, position);
        }
        split.Zero(done, end);
        split.Flush(end);
        return split.Kept;
    }

    /// <summary>Walks the region front to back, holding back the current zero run until its length decides where it goes.</summary>
    private sealed class Splitter(ExtentListBuilder into, ExtentListBuilder zeros, long minimumZeroRun, ITravelSink? sink)
    {
        private long _zeroStart = -1;

        public long Kept { get; private set; }

        public void Zero(long from, long to)
        {
            if (to > from && _zeroStart < 0)
            {
                _zeroStart = from;
            }
        }

        public void Data(long from, ReadOnlySpan<byte> bytes)
        {
            Flush(from);
            into.Add(from, bytes.Length);
            Kept += bytes.Length;
            sink?.Data(from, bytes);
        }

        public void Flush(long at)
        {
            if (_zeroStart < 0)
            {
                return;
            }
            var length = at - _zeroStart;
            if (length >= minimumZeroRun)
            {
                zeros.Add(_zeroStart, length);
            }
            else
            {
                into.Add(_zeroStart, length);
                Kept += length;
                sink?.Zeros(_zeroStart, length);
            }
            _zeroStart = -1;
        }
    }
}

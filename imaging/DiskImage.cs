using Microsoft.Win32.SafeHandles;

namespace EzioPxe.Imaging;

/// <summary>
/// A raw disk image file or block device opened for reading. Reads that fall into holes of a
/// sparse file return zeros without touching the file (the hole map is taken once with
/// SEEK_DATA/SEEK_HOLE), so scanning and hashing a mostly empty 500 GB image costs nothing for
/// the empty part. Reads past the end throw <see cref="DiskFormatException"/>: a structure that
/// points there means the image was cut short.
/// </summary>
public sealed class DiskImage : IDisposable
{
    private readonly SafeFileHandle _handle;
    private readonly List<(long Start, long End)> _dataRanges;

    private DiskImage(string path, SafeFileHandle handle, long size, List<(long, long)> dataRanges)
    {
        Path = path;
        _handle = handle;
        Size = size;
        _dataRanges = dataRanges;
    }

    public string Path { get; }

    /// <summary>Size of the disk in bytes.</summary>
    public long Size { get; }

    /// <summary>Bytes that are stored (not holes); equals <see cref="Size"/> for block devices.</summary>
    public long StoredBytes => _dataRanges.Sum(r => r.End - r.Start);

    /// <summary>The sector size assumed for partition tables (the logical sector of image files and loop devices).</summary>
    public const int SectorSize = 512;

    public static DiskImage Open(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"no disk image or block device at {path}", path);
        }
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        try
        {
            var size = SparseFile.Size(handle);
            if (size == 0)
            {
                throw new DiskFormatException($"{path} is empty (0 bytes)");
            }
            return new DiskImage(path, handle, size, SparseFile.DataRanges(handle, size));
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The stored (non-hole) parts of [start, end), in order.</summary>
    public IEnumerable<(long Start, long End)> DataWithin(long start, long end)
    {
        var index = FirstRangeEndingAfter(start);
        for (var i = index; i < _dataRanges.Count && _dataRanges[i].Start < end; i++)
        {
            var (s, e) = _dataRanges[i];
            yield return (Math.Max(s, start), Math.Min(e, end));
        }
    }

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>; holes read as zeros.</summary>
    public void Read(long offset, Span<byte> buffer)
    {
        if (offset < 0 || offset + buffer.Length > Size)
        {
            throw new DiskFormatException(
                $"read of {buffer.Length} bytes at offset {offset} goes past the end of {Path} ({Size} bytes): the image is truncated or a structure points outside it");
        }
        var end = offset + buffer.Length;
        var filled = offset;
        foreach (var (start, stop) in DataWithin(offset, end))
        {
            buffer[(int)(filled - offset)..(int)(start - offset)].Clear();
            ReadStored(start, buffer[(int)(start - offset)..(int)(stop - offset)]);
            filled = stop;
        }
        buffer[(int)(filled - offset)..].Clear();
    }

    public byte[] Read(long offset, int length)
    {
        var buffer = new byte[length];
        Read(offset, buffer);
        return buffer;
    }

    private void ReadStored(long offset, Span<byte> buffer)
    {
        while (buffer.Length > 0)
        {
            var read = RandomAccess.Read(_handle, buffer, offset);
            if (read == 0)
            {
                throw new DiskFormatException($"{Path} ended at offset {offset} while reading (it shrank while being scanned?)");
            }
            buffer = buffer[read..];
            offset += read;
        }
    }

    private int FirstRangeEndingAfter(long position)
    {
        int low = 0, high = _dataRanges.Count;
        while (low < high)
        {
            var middle = (low + high) / 2;
            if (_dataRanges[middle].End <= position)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        return low;
    }

    public void Dispose() => _handle.Dispose();
}

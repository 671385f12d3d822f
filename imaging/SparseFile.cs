using System.ComponentModel;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace EzioPxe.Imaging;

/// <summary>
/// lseek(2) with SEEK_DATA / SEEK_HOLE and SEEK_END: the only way to learn where a sparse file
/// has holes without reading them, and the way to learn a block device's size.
/// </summary>
public static partial class SparseFile
{
    private const int SeekEnd = 2;
    private const int SeekData = 3;
    private const int SeekHole = 4;
    private const int ENXIO = 6;
    private const int EINVAL = 22;

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static partial long LSeek(int fd, long offset, int whence);

    /// <summary>Size in bytes; for a block device stat() says 0, lseek(SEEK_END) says the truth.</summary>
    public static long Size(SafeFileHandle handle)
    {
        var result = Seek(handle, 0, SeekEnd, out var errno);
        if (result < 0)
        {
            throw new IOException($"lseek(SEEK_END) failed: {new Win32Exception(errno).Message}");
        }
        return result;
    }

    /// <summary>
    /// The ranges of <paramref name="handle"/> that hold data, in order. Filesystems without
    /// SEEK_DATA support (EINVAL) and block devices report everything as data.
    /// </summary>
    public static List<(long Start, long End)> DataRanges(SafeFileHandle handle, long size)
    {
        var ranges = new List<(long, long)>();
        long position = 0;
        while (position < size)
        {
            var data = Seek(handle, position, SeekData, out var errno);
            if (data < 0)
            {
                if (errno == ENXIO)
                {
                    break; // No data after position: the rest is one hole.
                }
                if (errno == EINVAL && position == 0)
                {
                    ranges.Add((0, size));
                    break;
                }
                throw new IOException($"lseek(SEEK_DATA, {position}) failed: {new Win32Exception(errno).Message}");
            }
            var hole = Seek(handle, data, SeekHole, out errno);
            if (hole < 0)
            {
                throw new IOException($"lseek(SEEK_HOLE, {data}) failed: {new Win32Exception(errno).Message}");
            }
            hole = Math.Min(hole, size);
            if (hole > data)
            {
                ranges.Add((data, hole));
            }
            position = hole;
        }
        return ranges;
    }

    private static long Seek(SafeFileHandle handle, long offset, int whence, out int errno)
    {
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var result = LSeek((int)handle.DangerousGetHandle(), offset, whence);
            errno = result < 0 ? Marshal.GetLastPInvokeError() : 0;
            return result;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }
}

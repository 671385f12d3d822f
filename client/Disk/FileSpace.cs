using System.Runtime.InteropServices;

namespace EzioPxe.Client.Disk;

/// <summary>
/// fallocate(2), which Tmds.LibC does not bind (it has only posix_fallocate, which cannot punch
/// holes). Most of its FALLOC_FL_* mode bits are in Tmds.LibC.
/// </summary>
internal static partial class FileSpace
{
    /// <summary>FALLOC_FL_ZERO_RANGE from linux/falloc.h (not in Tmds.LibC).</summary>
    public const int ZeroRange = 0x10;

    /// <summary>fallocate(fd, mode, offset, len); returns 0 or the errno.</summary>
    public static int Fallocate(int fd, int mode, long offset, long length)
    {
        while (true)
        {
            if (fallocate(fd, mode, offset, length) == 0)
            {
                return 0;
            }
            var error = Marshal.GetLastPInvokeError();
            if (error != Tmds.Linux.LibC.EINTR)
            {
                return error;
            }
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fallocate(int fd, int mode, long offset, long len);
}

using System.Runtime.InteropServices;

namespace EzioPxe.Client.Disk;

/// <summary>
/// A failed libc call, with the call, its arguments and strerror in the message, e.g.
/// <c>open(/dev/sdb, O_RDWR|O_DIRECT): Permission denied</c>: enough to act on from a console photo.
/// </summary>
public sealed class LibCException : IOException
{
    public LibCException(string call, int errno)
        : base($"{call}: {Marshal.GetPInvokeErrorMessage(errno)}", errno)
    {
        Call = call;
        Errno = errno;
    }

    /// <summary>The call as written in the message, e.g. <c>ioctl(/dev/sdb, BLKGETSIZE64)</c>.</summary>
    public string Call { get; }

    public int Errno { get; }
}

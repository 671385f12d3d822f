using System.Runtime.InteropServices;

namespace EzioPxe.Server.NetBoot.Tftp;

/// <summary>The one libc call .NET has no wrapper for: realpath(3), to pin the TFTP root.</summary>
internal static partial class NativeMethods
{
    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial nint RealPath(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(nint pointer);

    public static string ResolvePath(string path)
    {
        var result = RealPath(path, 0);
        if (result == 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"realpath({path}) failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }
        try
        {
            return Marshal.PtrToStringUTF8(result)!;
        }
        finally
        {
            Free(result);
        }
    }
}

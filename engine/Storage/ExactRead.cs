using Microsoft.Win32.SafeHandles;

namespace EzioPxe.Engine.Storage;

/// <summary>Positional reads that fill the whole buffer: the loop every file-backed piece storage needs.</summary>
public static class ExactRead
{
    /// <summary>
    /// Reads <paramref name="buffer"/>'s length at <paramref name="position"/>; returns how many
    /// bytes it got, which is less than asked only when the file ended first (callers say which file).
    /// </summary>
    public static async ValueTask<int> ReadAtAsync(SafeFileHandle handle, Memory<byte> buffer, long position, CancellationToken cancellationToken)
    {
        var done = 0;
        while (done < buffer.Length)
        {
            var read = await RandomAccess.ReadAsync(handle, buffer[done..], position + done, cancellationToken);
            if (read == 0)
            {
                break;
            }
            done += read;
        }
        return done;
    }
}

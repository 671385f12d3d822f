using Microsoft.Win32.SafeHandles;

namespace EzioPxe.Server.NetBoot.Tftp;

/// <summary>What one transfer sends: a file on disk read by offset, or bytes in memory.</summary>
public abstract class TftpContent : IDisposable
{
    public abstract long Length { get; }

    /// <summary>Fills <paramref name="destination"/> from <paramref name="offset"/>; returns the bytes read (short at the end).</summary>
    public abstract int Read(long offset, Span<byte> destination);

    public static TftpContent FromMemory(ReadOnlyMemory<byte> bytes) => new MemoryContent(bytes);

    public static TftpContent FromFile(SafeFileHandle handle) => new FileContent(handle);

    public virtual void Dispose()
    {
        GC.SuppressFinalize(this);
    }

    private sealed class MemoryContent(ReadOnlyMemory<byte> bytes) : TftpContent
    {
        public override long Length => bytes.Length;

        public override int Read(long offset, Span<byte> destination)
        {
            if (offset >= bytes.Length)
            {
                return 0;
            }
            var slice = bytes.Span[(int)offset..];
            var count = Math.Min(slice.Length, destination.Length);
            slice[..count].CopyTo(destination);
            return count;
        }
    }

    private sealed class FileContent(SafeFileHandle handle) : TftpContent
    {
        // The length is fixed when the transfer starts so tsize and the last block agree even if
        // someone rewrites the file meanwhile (they should replace it by rename instead).
        private readonly long _length = RandomAccess.GetLength(handle);

        public override long Length => _length;

        public override int Read(long offset, Span<byte> destination)
        {
            var total = 0;
            var wanted = (int)Math.Min(destination.Length, Math.Max(0, _length - offset));
            while (total < wanted)
            {
                var read = RandomAccess.Read(handle, destination[total..wanted], offset + total);
                if (read == 0)
                {
                    break;
                }
                total += read;
            }
            return total;
        }

        public override void Dispose()
        {
            handle.Dispose();
            base.Dispose();
        }
    }
}

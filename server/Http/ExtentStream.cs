using Microsoft.Win32.SafeHandles;

namespace EzioPxe.Server.Http;

/// <summary>
/// A read-only, seekable window of <see cref="Length"/> bytes at a disk offset of an image, so
/// that ASP.NET's range processing can serve any part of one extent (BEP 19 web seeds, curl -r).
/// </summary>
public sealed class ExtentStream : Stream
{
    private readonly SafeFileHandle _handle;
    private readonly long _start;
    private long _position;

    public ExtentStream(string sourcePath, long start, long length)
    {
        _handle = File.OpenHandle(sourcePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, FileOptions.Asynchronous);
        _start = start;
        Length = length;
    }

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length { get; }

    public override long Position
    {
        get => _position;
        set => _position = value is >= 0 ? value : throw new ArgumentOutOfRangeException(nameof(value));
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var wanted = (int)Math.Min(buffer.Length, Math.Max(0, Length - _position));
        if (wanted == 0)
        {
            return 0;
        }
        var read = RandomAccess.Read(_handle, buffer[..wanted], _start + _position);
        _position += read;
        return read;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var wanted = (int)Math.Min(buffer.Length, Math.Max(0, Length - _position));
        if (wanted == 0)
        {
            return 0;
        }
        var read = await RandomAccess.ReadAsync(_handle, buffer[..wanted], _start + _position, cancellationToken);
        _position += read;
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
    {
        SeekOrigin.Begin => offset,
        SeekOrigin.Current => _position + offset,
        _ => Length + offset,
    };

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _handle.Dispose();
        }
        base.Dispose(disposing);
    }
}

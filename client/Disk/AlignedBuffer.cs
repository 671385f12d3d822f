using System.Runtime.InteropServices;

namespace EzioPxe.Client.Disk;

/// <summary>
/// Native memory at an address aligned for O_DIRECT (managed arrays can move and are only
/// 8-byte aligned). Freed on dispose; reuse it rather than allocating per call.
/// </summary>
public sealed unsafe class AlignedBuffer : IDisposable
{
    private byte* _pointer;

    /// <param name="length">Bytes; a multiple of the device's logical block size for direct I/O.</param>
    /// <param name="alignment">A power of two; 4096 (a page) satisfies every block device.</param>
    public AlignedBuffer(int length, int alignment = 4096)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        if (!int.IsPow2(alignment))
        {
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "must be a power of two");
        }
        _pointer = (byte*)NativeMemory.AlignedAlloc((nuint)length, (nuint)alignment);
        Length = length;
    }

    public int Length { get; }

    public byte* Pointer => _pointer != null ? _pointer : throw new ObjectDisposedException(nameof(AlignedBuffer));

    public Span<byte> Span => new(Pointer, Length);

    public void Dispose()
    {
        if (_pointer != null)
        {
            NativeMemory.AlignedFree(_pointer);
            _pointer = null;
        }
    }
}

using System.Runtime.InteropServices;

namespace EzioPxe.Engine.Pieces;

/// <summary>
/// Memory for one whole piece, starting at a 4096-byte boundary and never moved by the GC (a
/// pinned array, with the aligned part used). A storage that writes with O_DIRECT (a client's
/// disk) can then write a verified piece, or read a piece for checking or seeding, straight
/// from and into this memory, without copying through a bounce buffer of its own.
/// </summary>
internal sealed class PieceBuffer
{
    /// <summary>A page: enough for O_DIRECT on every block device.</summary>
    public const int Alignment = 4096;

    private readonly byte[] _array;
    private readonly int _offset;

    public PieceBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        // Uninitialized: every byte is written (received, read) before it is used.
        _array = GC.AllocateUninitializedArray<byte>(length + Alignment - 1, pinned: true);
        var address = (long)Marshal.UnsafeAddrOfPinnedArrayElement(_array, 0);
        _offset = (int)((Alignment - address % Alignment) % Alignment);
        Length = length;
    }

    public int Length { get; }

    public Span<byte> Span => _array.AsSpan(_offset, Length);

    public Memory<byte> Memory => _array.AsMemory(_offset, Length);

    public Span<byte> AsSpan(int start, int length) => _array.AsSpan(_offset + start, length);

    public Memory<byte> AsMemory(int start, int length) => _array.AsMemory(_offset + start, length);

    /// <summary>Part of the piece as an array segment, for a socket's gather list (sendmsg takes array segments).</summary>
    public ArraySegment<byte> AsSegment(int start, int length) => new(_array, _offset + start, length);
}

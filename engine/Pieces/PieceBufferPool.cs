namespace EzioPxe.Engine.Pieces;

/// <summary>
/// Piece buffers of one size, reused. Renting never fails (a new buffer when none is free); at
/// most <c>retained</c> free buffers are kept, as <see cref="System.Buffers.ArrayPool{T}"/> would.
/// The session bounds how many are out at once. Thread-safe.
/// </summary>
internal class PieceBufferPool
{
    private readonly Stack<PieceBuffer> _free = new();
    private readonly int _retained;

    public PieceBufferPool(int bufferLength, int retained)
    {
        BufferLength = bufferLength;
        _retained = retained;
    }

    public int BufferLength { get; }

    public virtual PieceBuffer Rent()
    {
        lock (_free)
        {
            if (_free.TryPop(out var buffer))
            {
                return buffer;
            }
        }
        return new PieceBuffer(BufferLength);
    }

    public virtual void Return(PieceBuffer buffer)
    {
        lock (_free)
        {
            if (_free.Count < _retained)
            {
                _free.Push(buffer);
            }
        }
    }
}

using EzioPxe.Client.Disk;

namespace EzioPxe.Client.Storage;

/// <summary>
/// An aligned buffer for the O_DIRECT transfers that cannot go straight from or into the
/// caller's memory (edge blocks, unaligned memory), rented from the pool only when the first
/// such transfer needs it: a piece in the engine's aligned buffer over aligned extents needs none.
/// For one synchronous run of transfers on one thread.
/// </summary>
internal sealed class BounceBuffer(AlignedBufferPool pool) : IDisposable
{
    private AlignedBuffer? _buffer;

    public AlignedBuffer Get() => _buffer ??= pool.Rent();

    public void Dispose()
    {
        if (_buffer != null)
        {
            pool.Return(_buffer);
            _buffer = null;
        }
    }
}

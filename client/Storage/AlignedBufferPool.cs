using System.Collections.Concurrent;
using EzioPxe.Client.Disk;

namespace EzioPxe.Client.Storage;

/// <summary>
/// A fixed number of aligned buffers, created on first need and reused. Callers wait when all
/// are out, which bounds both memory (count × size) and the disk I/O in flight.
/// </summary>
internal sealed class AlignedBufferPool : IDisposable
{
    private readonly ConcurrentBag<AlignedBuffer> _free = new();
    private readonly ConcurrentQueue<AlignedBuffer> _all = new();
    private readonly SemaphoreSlim _slots;
    private readonly int _bufferSize;

    public AlignedBufferPool(int bufferSize, int count)
    {
        _bufferSize = bufferSize;
        _slots = new SemaphoreSlim(count, count);
    }

    /// <summary>Waits (blocking the thread: for callers already off the network loops) for a free buffer.</summary>
    public AlignedBuffer Rent()
    {
        _slots.Wait();
        if (_free.TryTake(out var buffer))
        {
            return buffer;
        }
        buffer = new AlignedBuffer(_bufferSize);
        _all.Enqueue(buffer);
        return buffer;
    }

    public void Return(AlignedBuffer buffer)
    {
        _free.Add(buffer);
        _slots.Release();
    }

    public void Dispose()
    {
        foreach (var buffer in _all)
        {
            buffer.Dispose();
        }
        _slots.Dispose();
    }
}

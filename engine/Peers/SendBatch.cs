using System.Buffers;
using EzioPxe.Engine.Pieces;

namespace EzioPxe.Engine.Peers;

/// <summary>
/// The bytes of one send on a peer's socket, as a gather list: control messages and block headers
/// are written (as an <see cref="IBufferWriter{T}"/>) into small rented chunks, and block data is
/// referenced where it already lies, in the piece cache or in a payload buffer. The socket
/// (sendmsg with one iovec per run) copies each block once, into the kernel; through a pipe
/// buffer it was copied twice, and that copy was the seeder's largest user-space cost after
/// reading the piece. What the list references stays valid until <see cref="Clear"/>: lent cache
/// blocks are released and rented buffers returned only then, after the send completed or failed.
/// Used by one send loop at a time; not thread-safe.
/// </summary>
internal sealed class SendBatch : IBufferWriter<byte>
{
    private const int ChunkSize = 16 * 1024;

    private readonly List<ArraySegment<byte>> _segments = new();
    private readonly List<byte[]> _rented = new();
    private readonly List<PieceCache.CachedBlock> _lent = new();
    private byte[]? _chunk;
    private int _runStart;
    private int _position;

    /// <summary>Bytes in the batch.</summary>
    public int Length { get; private set; }

    /// <summary>Entries of the gather list so far (the run being written counts as one).</summary>
    public int SegmentCount => _segments.Count + (_position > _runStart ? 1 : 0);

    /// <summary>The gather list, for <see cref="System.Net.Sockets.Socket.SendAsync(IList{ArraySegment{byte}})"/>.</summary>
    public IList<ArraySegment<byte>> Segments
    {
        get
        {
            CloseRun();
            return _segments;
        }
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        sizeHint = Math.Max(sizeHint, 1);
        if (_chunk == null || _chunk.Length - _position < sizeHint)
        {
            // Earlier runs keep pointing into the old chunk; it is returned with the rest on Clear.
            CloseRun();
            _chunk = ArrayPool<byte>.Shared.Rent(Math.Max(ChunkSize, sizeHint));
            _rented.Add(_chunk);
            _runStart = _position = 0;
        }
        return _chunk.AsMemory(_position);
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public void Advance(int count)
    {
        _position += count;
        Length += count;
    }

    /// <summary>Adds block data lent from the piece cache; released on <see cref="Clear"/>.</summary>
    public void AddLent(PieceCache.CachedBlock block)
    {
        _lent.Add(block);
        AddData(block.Data);
    }

    /// <summary>Adds block data from a buffer rented from <see cref="ArrayPool{T}.Shared"/>; returned on <see cref="Clear"/>.</summary>
    public void AddRented(byte[] buffer, int length)
    {
        _rented.Add(buffer);
        AddData(new ArraySegment<byte>(buffer, 0, length));
    }

    private void AddData(ArraySegment<byte> data)
    {
        CloseRun();
        _segments.Add(data);
        Length += data.Count;
    }

    private void CloseRun()
    {
        if (_chunk != null && _position > _runStart)
        {
            _segments.Add(new ArraySegment<byte>(_chunk, _runStart, _position - _runStart));
            _runStart = _position;
        }
    }

    /// <summary>Empties the batch, giving back everything it held; call only once the socket is done with the list.</summary>
    public void Clear()
    {
        foreach (var block in _lent)
        {
            block.Release();
        }
        foreach (var buffer in _rented)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        _lent.Clear();
        _rented.Clear();
        _segments.Clear();
        _chunk = null;
        _runStart = _position = 0;
        Length = 0;
    }
}

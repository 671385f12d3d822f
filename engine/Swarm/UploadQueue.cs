using System.Buffers;
using System.Threading.Channels;
using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Pieces;
using Microsoft.Extensions.Logging;

namespace EzioPxe.Engine.Swarm;

/// <summary>
/// Reads the blocks peers asked for, off the sockets' loops: a peer's send loop never waits on the
/// disk, and one slow read (a piece not in the cache, read whole from a client's disk) does not
/// hold up blocks for other pieces. Blocks of pieces already cached do not come here: the peer's
/// send loop lends them from the cache itself. A block read here is copied out of the cache into
/// its own buffer: it was a miss once, and with more pieces wanted than the cache holds it could
/// be evicted again before its turn, so the copy guarantees progress. Bounded: each
/// peer has at most <see cref="SessionOptions.MaxIncomingRequests"/> queued, the queue as a whole
/// at most <see cref="Capacity"/>, and at most <see cref="MaxConcurrentReads"/> storage reads run at once.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "SemaphoreSlim needs disposing only once its AvailableWaitHandle was used, and a read may still release it after the session is gone.")]
internal sealed class UploadQueue
{
    public const int Capacity = 65_536;
    private const int MaxConcurrentReads = 4;

    private readonly Channel<UploadRequest> _requests = Channel.CreateBounded<UploadRequest>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private readonly SemaphoreSlim _reads = new(MaxConcurrentReads);
    private readonly PieceCache _cache;
    private readonly ILogger _logger;

    public UploadQueue(PieceCache cache, ILogger logger)
    {
        _cache = cache;
        _logger = logger;
    }

    /// <summary>Queues a block to read and send; false when the queue is full (the request is refused). Never blocks.</summary>
    public bool TryEnqueue(SwarmPeer peer, int piece, int offset, int length)
        => _requests.Writer.TryWrite(new UploadRequest(peer, piece, offset, length));

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var reader = _requests.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                while (reader.TryRead(out var request))
                {
                    if (NeedsRead(request) is { } data)
                    {
                        await _reads.WaitAsync(cancellationToken);
                        _ = ReadAndSendAsync(request, data, cancellationToken);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>
    /// The swarm simulator's stand-in for <see cref="RunAsync"/>: serves what is queued now, waiting
    /// for each read (the cache loads a piece on the thread pool), so that nothing of the session
    /// runs beside the simulator's one thread and a run repeats exactly.
    /// </summary>
    public void ServeQueued()
    {
        while (_requests.Reader.TryRead(out var request))
        {
            if (NeedsRead(request) is { } data)
            {
                _reads.Wait();
                ReadAndSendAsync(request, data, CancellationToken.None).GetAwaiter().GetResult();
            }
        }
    }

    /// <summary>
    /// Sends the block at once when its piece is cached (or drops it for a closing peer) and returns
    /// null; otherwise returns the rented buffer the storage read must fill.
    /// </summary>
    private byte[]? NeedsRead(UploadRequest request)
    {
        if (request.Peer.IsClosing)
        {
            return null;
        }
        var data = ArrayPool<byte>.Shared.Rent(request.Length);
        if (!_cache.TryCopy(request.Piece, request.Offset, data.AsSpan(0, request.Length)))
        {
            return data;
        }
        request.Peer.Send(Outgoing.Block(request.Piece, request.Offset, request.Length, data));
        return null;
    }

    private async Task ReadAndSendAsync(UploadRequest request, byte[] data, CancellationToken cancellationToken)
    {
        try
        {
            await _cache.CopyAsync(request.Piece, request.Offset, data.AsMemory(0, request.Length), cancellationToken);
            request.Peer.Send(Outgoing.Block(request.Piece, request.Offset, request.Length, data));
        }
        catch (Exception e)
        {
            ArrayPool<byte>.Shared.Return(data);
            if (e is not OperationCanceledException)
            {
                // Our storage failed, not the peer: it cannot be served what it was promised.
                _logger.LogWarning("reading piece {Piece} to upload failed ({Reason}); dropping {Peer}", request.Piece, e.Message, request.Peer.Describe());
                request.Peer.Close();
            }
        }
        finally
        {
            _reads.Release();
        }
    }

    private readonly record struct UploadRequest(SwarmPeer Peer, int Piece, int Offset, int Length);
}

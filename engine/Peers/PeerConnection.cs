using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using EzioPxe.Engine.Wire;

namespace EzioPxe.Engine.Peers;

/// <summary>
/// One TCP connection to a peer, and only the wire: the handshake, a read loop that cuts messages
/// out of the stream and hands each to an <see cref="IPeerHandler"/>, and a write loop that
/// batches queued messages into as few sends as possible. What the peer has, wants and is owed
/// is the session's business (<c>Swarm.SwarmPeer</c>). A block arrives with its data, or is lent
/// from the owner's memory as it is sent (<see cref="IPeerHandler.TryLendBlock"/>) and handed to the
/// socket as it lies; this class never waits on a disk.
/// </summary>
public sealed class PeerConnection : IAsyncDisposable, IPeerTransport
{
    private readonly Socket _socket;
    private readonly NetworkStream _stream;
    private readonly Channel<Outgoing> _outgoing = Channel.CreateUnbounded<Outgoing>(new UnboundedChannelOptions { SingleReader = true });
    // Never disposed: Close may run on any thread at any time (the session, the tick, a finishing
    // download), also after DisposeAsync, and a CancellationTokenSource without timers or linked
    // tokens holds nothing that needs disposing.
    private readonly CancellationTokenSource _closed = new();
    private int _closing;
    private int _disposed;

    private PeerConnection(Socket socket, IPEndPoint remote, bool outgoing)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: true);
        // A large read buffer: a LAN link delivers megabytes per millisecond. Sends need none of
        // ours: the write loop gathers straight from where the bytes lie (SendBatch).
        Reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 256 * 1024, minimumReadSize: 64 * 1024));
        RemoteEndPoint = remote;
        IsOutgoing = outgoing;
    }

    public IPEndPoint RemoteEndPoint { get; }

    public bool IsOutgoing { get; }

    public byte[] RemotePeerId { get; private set; } = Array.Empty<byte>();

    internal PipeReader Reader { get; }

    public bool SupportsFast { get; private set; }

    public bool SupportsExtensions { get; private set; }

    /// <summary>When we last flushed anything to the peer (for keep-alives).</summary>
    public long LastSentTicks { get; set; } = Environment.TickCount64;

    /// <summary>True once <see cref="Close"/> was called: the peer is on its way out.</summary>
    public bool IsClosing => Volatile.Read(ref _closing) != 0;

    public string Describe() => $"{RemoteEndPoint} ({PeerId.Describe(RemotePeerId)})";

    /// <summary>Connects and exchanges handshakes for <paramref name="infoHash"/>.</summary>
    internal static async Task<PeerConnection> ConnectAsync(IPEndPoint remote, IPAddress? local, Handshake ours, int socketBufferSize, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var socket = new Socket(remote.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        Configure(socket, socketBufferSize);
        if (local != null)
        {
            try
            {
                socket.Bind(new IPEndPoint(local, 0));
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        PeerConnection? connection = null;
        try
        {
            await socket.ConnectAsync(remote, timeoutSource.Token);
            connection = new PeerConnection(socket, remote, outgoing: true);
            await connection.SendHandshakeAsync(ours, timeoutSource.Token);
            var theirs = await connection.ReceiveHandshakeAsync(timeoutSource.Token);
            if (theirs.InfoHash != ours.InfoHash)
            {
                throw new PeerProtocolException("peer answered for another torrent");
            }
            connection.Accept(theirs, ours);
            return connection;
        }
        catch
        {
            if (connection != null)
            {
                await connection.DisposeAsync();
            }
            else
            {
                socket.Dispose();
            }
            throw;
        }
    }

    /// <summary>Wraps an accepted socket; the listener reads the handshake to find the session.</summary>
    internal static PeerConnection FromAccepted(Socket socket, int socketBufferSize)
    {
        Configure(socket, socketBufferSize);
        return new PeerConnection(socket, Normalize((IPEndPoint)socket.RemoteEndPoint!), outgoing: false);
    }

    /// <summary>An IPv4 peer reaching a dual-stack listener shows up as ::ffff:a.b.c.d; per-address limits must see a.b.c.d.</summary>
    private static IPEndPoint Normalize(IPEndPoint endPoint)
        => endPoint.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(endPoint.Address.MapToIPv4(), endPoint.Port) : endPoint;

    private static void Configure(Socket socket, int bufferSize)
    {
        socket.NoDelay = true;
        if (bufferSize > 0)
        {
            socket.SendBufferSize = bufferSize;
            socket.ReceiveBufferSize = bufferSize;
        }
    }

    internal async Task SendHandshakeAsync(Handshake handshake, CancellationToken cancellationToken)
    {
        var bytes = new byte[Handshake.Length];
        handshake.Write(bytes);
        await _stream.WriteAsync(bytes, cancellationToken);
    }

    internal async Task<Handshake> ReceiveHandshakeAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await Reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (buffer.Length >= Handshake.Length)
            {
                var bytes = new byte[Handshake.Length];
                buffer.Slice(0, Handshake.Length).CopyTo(bytes);
                Reader.AdvanceTo(buffer.GetPosition(Handshake.Length));
                return Handshake.Parse(bytes);
            }
            if (result.IsCompleted)
            {
                throw new PeerProtocolException("connection closed during the handshake");
            }
            Reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    internal void Accept(Handshake theirs, Handshake ours)
    {
        RemotePeerId = theirs.PeerId;
        SupportsFast = theirs.SupportsFast && ours.SupportsFast;
        SupportsExtensions = theirs.SupportsExtensions && ours.SupportsExtensions;
    }

    /// <summary>
    /// Queues a message; never blocks, so it may be called under the session lock. A block's data is
    /// rented from <see cref="ArrayPool{T}.Shared"/> and given back here once sent or dropped.
    /// </summary>
    internal void Send(Outgoing message)
    {
        if (!_outgoing.Writer.TryWrite(message))
        {
            ReturnBlock(message); // closed: the message is dropped
        }
    }

    private static void ReturnBlock(in Outgoing message)
    {
        if (message.Kind == OutgoingKind.Block && message.Payload != null)
        {
            ArrayPool<byte>.Shared.Return(message.Payload);
        }
    }

    void IPeerTransport.Send(Outgoing message) => Send(message);

    /// <summary>Runs both loops until the peer goes away or the session drops it; a failure of either ends both.</summary>
    internal async Task RunAsync(IPeerHandler handler, int maxMessageLength)
    {
        var reading = ReadLoopAsync(handler, maxMessageLength);
        var writing = WriteLoopAsync(handler);
        var first = await Task.WhenAny(reading, writing);
        Close();
        try
        {
            await first; // the loop that ended first has the reason
        }
        finally
        {
            try
            {
                await Task.WhenAll(reading, writing);
            }
            catch (Exception) when (_closed.IsCancellationRequested)
            {
                // The other loop fails once the socket is gone; its error says nothing new.
            }
        }
    }

    private async Task ReadLoopAsync(IPeerHandler handler, int maxMessageLength)
    {
        while (true)
        {
            var result = await Reader.ReadAsync(_closed.Token);
            var buffer = result.Buffer;
            while (PeerMessageParser.TryRead(ref buffer, maxMessageLength, out var message))
            {
                handler.OnMessage(message);
            }
            Reader.AdvanceTo(buffer.Start, buffer.End);
            if (result.IsCompleted)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Sends what the session queued, batched into one gather send per ~256 KiB: as many messages
    /// as are queued go out in one sendmsg, and block data goes from where it lies (see
    /// <see cref="SendBatch"/>) without a copy into a send buffer of ours.
    /// </summary>
    private async Task WriteLoopAsync(IPeerHandler handler)
    {
        var reader = _outgoing.Reader;
        var batch = new SendBatch();
        try
        {
            while (await reader.WaitToReadAsync(_closed.Token))
            {
                while (reader.TryRead(out var message))
                {
                    Add(handler, message, batch);
                    if (batch.Length >= MaxBatchBytes || batch.SegmentCount >= MaxBatchSegments)
                    {
                        await SendAsync(batch);
                    }
                }
                if (batch.Length > 0)
                {
                    await SendAsync(batch);
                }
            }
        }
        finally
        {
            batch.Clear();
        }
    }

    /// <summary>About what the pipe writer flushed at once before; enough to keep a LAN link busy per system call.</summary>
    private const int MaxBatchBytes = 256 * 1024;

    /// <summary>Well under the kernel's IOV_MAX (1024) entries per sendmsg.</summary>
    private const int MaxBatchSegments = 256;

    private async ValueTask SendAsync(SendBatch batch)
    {
        try
        {
            // Completes once every byte is with the kernel (the socket retries partial sends). No
            // cancellation token: Close shuts the socket down, which fails a send waiting for room,
            // and the batch's memory must stay put until the send is really over.
            var length = batch.Length;
            var sent = await _socket.SendAsync(batch.Segments, SocketFlags.None);
            if (sent != length)
            {
                throw new IOException($"the socket took {sent} of {length} bytes");
            }
        }
        catch (SocketException) when (IsClosing)
        {
            throw new OperationCanceledException(_closed.Token);
        }
        finally
        {
            batch.Clear();
        }
        LastSentTicks = Environment.TickCount64;
    }

    private static void Add(IPeerHandler handler, in Outgoing message, SendBatch batch)
    {
        if (message.TryWriteControl(batch))
        {
            return;
        }
        // A block: its bytes come from the payload or straight from the owner's memory.
        var payload = message.Payload;
        try
        {
            if (!handler.ShouldSendBlock(message.Piece, message.Offset, message.Length))
            {
                return;
            }
            if (payload != null)
            {
                PeerMessageWriter.WritePieceHeader(batch, message.Piece, message.Offset, message.Length);
                batch.AddRented(payload, message.Length);
                payload = null; // the batch returns it once sent
            }
            else if (handler.TryLendBlock(message.Piece, message.Offset, message.Length, out var block))
            {
                PeerMessageWriter.WritePieceHeader(batch, message.Piece, message.Offset, message.Length);
                batch.AddLent(block);
            }
            else
            {
                // Nothing was added, so nothing of this message goes out.
                handler.OnBlockNotInMemory(message.Piece, message.Offset, message.Length);
                return;
            }
        }
        finally
        {
            if (payload != null)
            {
                ArrayPool<byte>.Shared.Return(payload);
            }
        }
        handler.OnBlockSent(message.Piece, message.Offset, message.Length);
    }

    /// <summary>Closes the socket; the loops end and the session forgets the peer. Safe to call any number of times from any thread; never throws.</summary>
    public void Close()
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }
        _closed.Cancel();
        _outgoing.Writer.TryComplete();
        try
        {
            _socket.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        Close();
        // Completing with an error returns the buffers without writing what is left to a socket
        // that is gone; a plain CompleteAsync would try, throw, and leak the socket.
        var closing = new IOException("connection closed");
        try
        {
            await Reader.CompleteAsync(closing);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        await _stream.DisposeAsync();
        while (_outgoing.Reader.TryRead(out var unsent))
        {
            ReturnBlock(unsent);
        }
    }
}

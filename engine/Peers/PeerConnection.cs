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
/// is the session's business (<c>Swarm.SwarmPeer</c>). A block arrives with its data, or is copied
/// from the owner's memory as it is sent (<see cref="IPeerHandler.TryCopyBlock"/>); this class never
/// waits on a disk.
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
        // Large read and write buffers: a LAN link delivers megabytes per millisecond.
        Reader = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 256 * 1024, minimumReadSize: 64 * 1024));
        Writer = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024));
        RemoteEndPoint = remote;
        IsOutgoing = outgoing;
    }

    public IPEndPoint RemoteEndPoint { get; }

    public bool IsOutgoing { get; }

    public byte[] RemotePeerId { get; private set; } = Array.Empty<byte>();

    internal PipeReader Reader { get; }

    internal PipeWriter Writer { get; }

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
        handshake.Write(Writer.GetSpan(Handshake.Length));
        Writer.Advance(Handshake.Length);
        await Writer.FlushAsync(cancellationToken);
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

    private async Task WriteLoopAsync(IPeerHandler handler)
    {
        var reader = _outgoing.Reader;
        while (await reader.WaitToReadAsync(_closed.Token))
        {
            while (reader.TryRead(out var message))
            {
                Write(handler, message);
                if (Writer.UnflushedBytes >= 256 * 1024)
                {
                    await FlushAsync();
                }
            }
            await FlushAsync();
        }
    }

    private async ValueTask FlushAsync()
    {
        var flush = await Writer.FlushAsync(_closed.Token);
        LastSentTicks = Environment.TickCount64;
        if (flush.IsCompleted)
        {
            throw new IOException("peer closed the connection");
        }
    }

    private void Write(IPeerHandler handler, in Outgoing message)
    {
        if (message.TryWriteControl(Writer))
        {
            return;
        }
        // A block: its bytes come from the payload or straight from the owner's memory.
        try
        {
            if (!handler.ShouldSendBlock(message.Piece, message.Offset, message.Length))
            {
                return;
            }
            var span = Writer.GetSpan(PeerMessageWriter.PieceHeaderLength + message.Length);
            var data = span.Slice(PeerMessageWriter.PieceHeaderLength, message.Length);
            if (message.Payload != null)
            {
                message.Payload.AsSpan(0, message.Length).CopyTo(data);
            }
            else if (!handler.TryCopyBlock(message.Piece, message.Offset, data))
            {
                // Nothing was advanced, so nothing of this message goes out.
                handler.OnBlockNotInMemory(message.Piece, message.Offset, message.Length);
                return;
            }
            PeerMessageWriter.WritePieceHeader(span, message.Piece, message.Offset, message.Length);
            Writer.Advance(PeerMessageWriter.PieceHeaderLength + message.Length);
        }
        finally
        {
            ReturnBlock(message);
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
            await Writer.CompleteAsync(closing);
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

using System.Buffers;
using System.Net;
using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Swarm;
using EzioPxe.Engine.Wire;

namespace EzioPxe.Sim;

/// <summary>
/// One end of a simulated TCP connection, as the session sees it (<see cref="IPeerTransport"/>):
/// the session queues messages; the network sends them in order at the share of the links it
/// gets, as bytes written by the engine's own <see cref="PeerMessageWriter"/>, and the other end
/// parses them with <see cref="PeerMessageParser"/> and hands them to its session. A block is
/// decided on (cancelled? choked since?) and lent from the piece cache when it starts on the
/// wire, as the TCP path's send loop does when it hands the block to the socket.
/// </summary>
internal sealed class SimConnection : IPeerTransport
{
    private readonly SimNetwork _network;
    private readonly Queue<Outgoing> _queue = new();
    private readonly Queue<long> _queuedAt = new();

    /// <summary>With <see cref="SimNetwork.ControlFirst"/>: control messages, sent ahead of the blocks queued in <see cref="_queue"/>.</summary>
    private readonly Queue<(Outgoing Message, long QueuedAt)> _control = new();
    private Dictionary<(int Piece, int Offset), long>? _requestedAt;
    private readonly Queue<(long At, byte[] Wire, int Length)> _inFlight = new();
    private List<(byte[] Wire, int Length)>? _early;
    private byte[]? _wire;
    private int _wireLength;
    private int _wireSent;
    private long _wireQueuedAt;
    private bool _wireIsBlock;
    private bool _closing;
    private bool _ended;
    private bool _deliveryScheduled;
    private long _lastArrival;

    public SimConnection(SimNetwork network, SimHost local, SimHost remote, IPEndPoint remoteEndPoint, bool outgoing, bool fast)
    {
        _network = network;
        Local = local;
        Remote = remote;
        RemoteEndPoint = remoteEndPoint;
        IsOutgoing = outgoing;
        SupportsFast = fast;
        RemotePeerId = remote.Session.PeerId;
        LastSentTicks = local.Session.Now();
    }

    public SimHost Local { get; }

    public SimHost Remote { get; }

    public SimConnection Other { get; set; } = null!;

    /// <summary>The local session's peer for this connection, once admitted.</summary>
    public SwarmPeer? Peer { get; private set; }

    /// <summary>For the dialling end: the address dialled (the session's key for it).</summary>
    public IPEndPoint? Dialed { get; init; }

    /// <summary>Wire bytes queued and not yet sent (the demand it puts on the links).</summary>
    public long QueuedBytes { get; private set; }

    public bool IsActive { get; set; }

    /// <summary>Fractional bytes carried over between steps; and this step's allocation.</summary>
    internal double Credit;
    internal double Allocation;
    internal bool Frozen;
    internal double Offer;

    public IPEndPoint RemoteEndPoint { get; }

    public bool IsOutgoing { get; }

    public byte[] RemotePeerId { get; }

    public bool SupportsFast { get; }

    public bool SupportsExtensions => true;

    public long LastSentTicks { get; set; }

    public bool IsClosing => _closing;

    public string Describe() => $"{RemoteEndPoint} (simulated)";

    public void Send(Outgoing message)
    {
        if (_closing)
        {
            ReturnPayload(message);
            return;
        }
        if (_network.ControlFirst && message.Kind != OutgoingKind.Block)
        {
            _control.Enqueue((message, _network.Clock.Microseconds));
        }
        else
        {
            _queue.Enqueue(message);
            _queuedAt.Enqueue(_network.Clock.Microseconds);
        }
        if (_network.Trace != null && message.Kind == OutgoingKind.BlockReference && message.Id == MessageId.Request)
        {
            (_requestedAt ??= new())[(message.Piece, message.Offset)] = _network.Clock.Microseconds;
        }
        QueuedBytes += WireSize(message);
        _network.Activate(this);
    }

    public void Close()
    {
        if (_closing)
        {
            return;
        }
        _closing = true;
        if (_network.Trace != null && !Other._closing && Peer != null && Local.Index > 0 && Remote.Index > 0 && Local.CompletedAt == null && Remote.CompletedAt == null)
        {
            _network.Trace.ClosedBeforeDone++;
        }
        while (_queue.TryDequeue(out var message))
        {
            ReturnPayload(message);
        }
        _queuedAt.Clear();
        _control.Clear();
        QueuedBytes = 0;
        if (_wire != null)
        {
            ArrayPool<byte>.Shared.Return(_wire);
            _wire = null;
            _wireLength = 0;
            _wireSent = 0;
        }
        // The session may be iterating its peers right now (Close is called under its lock): the
        // end of the connection reaches it as an event, as the TCP path's end of the peer loop does.
        _network.Events.At(_network.Clock.Microseconds, End);
        _network.Events.At(_network.Clock.Microseconds + _network.Latency, Other.Close);
    }

    /// <summary>The session admitted (or refused: null) this end.</summary>
    public void Attached(SwarmPeer? peer)
    {
        Peer = peer;
        if (peer == null)
        {
            if (_network.Trace != null)
            {
                _network.Trace.Refused++;
            }
            return;
        }
        if (_closing)
        {
            _network.Events.At(_network.Clock.Microseconds, End);
        }
        if (_early != null)
        {
            foreach (var (wire, length) in _early)
            {
                Receive(wire, length);
            }
            _early = null;
        }
    }

    private void End()
    {
        if (_ended || Peer == null)
        {
            return;
        }
        _ended = true;
        Local.Session.OnConnectionEnded(Peer, Dialed);
        Local.Session.ServeQueuedUploads();
    }

    /// <summary>When the message to send next (the one on the wire, else the queue's first) was queued.</summary>
    public long HeadQueuedAt => _wire != null ? _wireQueuedAt : _control.TryPeek(out var control) ? control.QueuedAt : _queuedAt.TryPeek(out var at) ? at : long.MaxValue;

    /// <summary>Whether the message to send next is a block (not a control message).</summary>
    public bool HeadIsBlock => _wire != null ? _wireIsBlock : _control.Count == 0 && _queue.TryPeek(out var message) && message.Kind == OutgoingKind.Block;

    /// <summary>Bytes still to send: the message on the wire and the queue behind it.</summary>
    public double Demand => _wireLength - _wireSent + QueuedBytes;

    /// <summary>Sends up to <paramref name="bytes"/>; messages completed arrive at the other end at <paramref name="arrival"/>.</summary>
    public void Transmit(double bytes, long arrival)
    {
        // One connection's bytes arrive in order, whatever the queues did meanwhile.
        arrival = Math.Max(arrival, _lastArrival);
        _lastArrival = arrival;
        Credit += Math.Max(0, bytes);
        while (!_closing)
        {
            if (_wire == null && !StartNext())
            {
                if (_network.Trace != null)
                {
                    _network.Trace.UnusedCredit[Local.Index == 0 ? 0 : 1] += Credit;
                }
                Credit = 0;
                return;
            }
            var left = _wireLength - _wireSent;
            if (Credit < left)
            {
                var whole = (int)Credit;
                _wireSent += whole;
                Credit -= whole;
                return;
            }
            Credit -= left;
            _inFlight.Enqueue((arrival, _wire!, _wireLength));
            // Nothing is on the wire now: no bytes of it count as demand (before, the part of the
            // last message sent in its final step stayed in Demand, and the connection took that
            // much of its uplink every step, for nothing, until its next message).
            _wire = null;
            _wireLength = 0;
            _wireSent = 0;
            if (!_deliveryScheduled)
            {
                _deliveryScheduled = true;
                _network.Events.At(arrival, Deliver);
            }
        }
    }

    /// <summary>Takes the next message off the queue and writes it as wire bytes; false when nothing is left to send.</summary>
    private bool StartNext()
    {
        var handler = (IPeerHandler?)Peer;
        while (TryDequeue(out var message, out var queuedAt))
        {
            QueuedBytes -= WireSize(message);
            if (message.Kind == OutgoingKind.Block)
            {
                if (handler == null || !handler.ShouldSendBlock(message.Piece, message.Offset, message.Length))
                {
                    if (_network.Trace != null)
                    {
                        _network.Trace.DroppedBlocks[Local.Index == 0 ? 0 : 1]++;
                    }
                    ReturnPayload(message);
                    continue;
                }
                var wire = ArrayPool<byte>.Shared.Rent(PeerMessageWriter.PieceHeaderLength + message.Length);
                var data = wire.AsSpan(PeerMessageWriter.PieceHeaderLength, message.Length);
                if (message.Payload != null)
                {
                    message.Payload.AsSpan(0, message.Length).CopyTo(data);
                    ReturnPayload(message);
                }
                else if (handler.TryLendBlock(message.Piece, message.Offset, message.Length, out var block))
                {
                    // The TCP path hands the lent block to the socket, which copies it into the kernel; here it is copied into the simulated wire.
                    block.Data.AsSpan().CopyTo(data);
                    block.Release();
                }
                else
                {
                    ArrayPool<byte>.Shared.Return(wire);
                    handler.OnBlockNotInMemory(message.Piece, message.Offset, message.Length);
                    Local.Session.ServeQueuedUploads();
                    continue;
                }
                PeerMessageWriter.WritePieceHeader(wire.AsSpan(), message.Piece, message.Offset, message.Length);
                handler.OnBlockSent(message.Piece, message.Offset, message.Length);
                _network.Trace?.OnBlockStarted(_network.Clock.Seconds, _network.Clock.Microseconds - queuedAt);
                SetWire(wire, PeerMessageWriter.PieceHeaderLength + message.Length, queuedAt, isBlock: true);
                return true;
            }
            var writer = _network.Scratch;
            writer.ResetWrittenCount();
            message.TryWriteControl(writer);
            var bytes = ArrayPool<byte>.Shared.Rent(writer.WrittenCount);
            writer.WrittenSpan.CopyTo(bytes);
            SetWire(bytes, writer.WrittenCount, queuedAt, isBlock: false);
            return true;
        }
        return false;
    }

    private bool TryDequeue(out Outgoing message, out long queuedAt)
    {
        if (_control.TryDequeue(out var control))
        {
            (message, queuedAt) = control;
            return true;
        }
        if (_queue.TryDequeue(out message))
        {
            queuedAt = _queuedAt.Dequeue();
            return true;
        }
        queuedAt = 0;
        return false;
    }

    private void SetWire(byte[] wire, int length, long queuedAt, bool isBlock)
    {
        _wireQueuedAt = queuedAt;
        _wireIsBlock = isBlock;
        _wire = wire;
        _wireLength = length;
        _wireSent = 0;
        LastSentTicks = Local.Session.Now();
    }

    private void Deliver()
    {
        var now = _network.Clock.Microseconds;
        while (_inFlight.TryPeek(out var item) && item.At <= now)
        {
            _inFlight.Dequeue();
            if (Other._closing)
            {
                ArrayPool<byte>.Shared.Return(item.Wire);
                continue;
            }
            Other.Receive(item.Wire, item.Length);
        }
        _deliveryScheduled = false;
        if (_inFlight.TryPeek(out var next))
        {
            _deliveryScheduled = true;
            _network.Events.At(next.At, Deliver);
        }
    }

    /// <summary>Wire bytes arrived: parsed as the TCP read loop does and handed to the session.</summary>
    private void Receive(byte[] wire, int length)
    {
        if (Peer == null)
        {
            (_early ??= new()).Add((wire, length));
            return;
        }
        var buffer = new ReadOnlySequence<byte>(wire, 0, length);
        try
        {
            if (!PeerMessageParser.TryRead(ref buffer, _network.MaxMessageLength, out var message) || buffer.Length != 0)
            {
                throw new InvalidOperationException("the simulator cut a message wrongly");
            }
            if (_requestedAt != null && message.Id == MessageId.Piece && message.Payload.Length >= 8)
            {
                var header = message.Payload.Slice(0, 8);
                var key = (PeerMessageParser.ReadInt32(header, 0), PeerMessageParser.ReadInt32(header, 4));
                if (_requestedAt.Remove(key, out var requestedAt))
                {
                    _network.Trace!.OnBlockArrived(_network.Clock.Seconds, _network.Clock.Microseconds - requestedAt);
                }
            }
            ((IPeerHandler)Peer).OnMessage(message);
        }
        catch (PeerProtocolException)
        {
            Close();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(wire);
        }
        Local.Session.ServeQueuedUploads();
    }

    private static int WireSize(in Outgoing message) => message.Kind switch
    {
        OutgoingKind.KeepAlive => 4,
        OutgoingKind.Simple => 5,
        OutgoingKind.Index => 9,
        OutgoingKind.BlockReference => 17,
        OutgoingKind.Block => PeerMessageWriter.PieceHeaderLength + message.Length,
        OutgoingKind.Bitfield => 5 + (message.Payload?.Length ?? 0),
        OutgoingKind.Extended => 6 + (message.Payload?.Length ?? 0),
        _ => 0,
    };

    private static void ReturnPayload(in Outgoing message)
    {
        if (message.Kind == OutgoingKind.Block && message.Payload != null)
        {
            ArrayPool<byte>.Shared.Return(message.Payload);
        }
    }
}

using System.Buffers;
using System.Net;
using EzioPxe.Engine.Swarm;

namespace EzioPxe.Sim;

/// <summary>
/// The simulated LAN: every host has one link of its own rate each way, all hosts meet at one
/// switch that never limits, and every message takes <see cref="Latency"/> from its last byte on
/// the wire to the other end. Time advances in steps; in each step the connections with bytes to
/// send share the links max-min fairly (a fluid model of TCP's sharing: a sender's uplink is split
/// evenly among its busy connections, a receiver's downlink caps what all of them bring it, and
/// what one connection cannot use goes to the others).
/// </summary>
internal sealed class SimNetwork : IPeerDialer
{
    private readonly Dictionary<IPEndPoint, SimHost> _hosts = new();
    private readonly Dictionary<TorrentSession, SimHost> _bySession = new();
    private readonly List<SimConnection> _active = new();
    private readonly List<SimConnection> _stepping = new();

    public SimNetwork(VirtualClock clock, EventQueue events, long latencyMicroseconds, long queueMicroseconds, int maxMessageLength)
    {
        Clock = clock;
        Events = events;
        Latency = latencyMicroseconds;
        Queue = queueMicroseconds;
        MaxMessageLength = maxMessageLength;
    }

    public VirtualClock Clock { get; }

    public EventQueue Events { get; }

    /// <summary>One-way delay of an idle path, microseconds.</summary>
    public long Latency { get; }

    /// <summary>
    /// What a saturated link's shaper queue adds to the delay, microseconds: the netns bench's htb
    /// leaves have a 50 ms byte FIFO, which TCP keeps partly full while the link is busy. A message
    /// waits behind the sender's uplink queue and the receiver's downlink queue, each in proportion
    /// to how busy that link was lately.
    /// </summary>
    public long Queue { get; }

    public int MaxMessageLength { get; }

    /// <summary>Where control messages are written before they are copied to their own buffer.</summary>
    public ArrayBufferWriter<byte> Scratch { get; } = new(4096);

    /// <summary>Measurements of the run (--trace); null when not asked for.</summary>
    public SimTrace? Trace { get; init; }

    public UplinkSharing Uplinks { get; init; }

    /// <summary>See <see cref="SimSettings.ControlFirst"/>.</summary>
    public bool ControlFirst { get; init; }

    public bool HasTraffic => _active.Count > 0;

    public List<SimHost> Hosts { get; } = new();

    /// <summary>Every connection ever made (for the debug dump).</summary>
    public List<SimConnection> Connections { get; } = new();

    public void Add(SimHost host)
    {
        _hosts.Add(host.EndPoint, host);
        _bySession.Add(host.Session, host);
        Hosts.Add(host);
        host.Session.Dialer = this;
        host.Session.VerifyInline = true;
    }

    public void Activate(SimConnection connection)
    {
        if (!connection.IsActive)
        {
            connection.IsActive = true;
            _active.Add(connection);
        }
    }

    /// <summary>
    /// A dial: the TCP handshake and the BitTorrent handshake take a round trip and a half until the
    /// listener's session sees the connection, two until the dialler's does (as PeerListener and
    /// PeerConnection.ConnectAsync do it). An address nobody listens on fails after a round trip.
    /// </summary>
    public void Dial(TorrentSession session, IPEndPoint endPoint)
    {
        var now = Clock.Microseconds;
        var from = _bySession[session];
        if (!_hosts.TryGetValue(endPoint, out var to) || to == from)
        {
            Events.At(now + 2 * Latency, () => session.DialFailed(endPoint));
            return;
        }
        if (Trace != null)
        {
            Trace.Dials++;
        }
        var fast = from.SupportsFast && to.SupportsFast;
        var mine = new SimConnection(this, from, to, endPoint, outgoing: true, fast) { Dialed = endPoint };
        var theirs = new SimConnection(this, to, from, new IPEndPoint(from.EndPoint.Address, from.NextPort++), outgoing: false, fast);
        mine.Other = theirs;
        theirs.Other = mine;
        Connections.Add(mine);
        Connections.Add(theirs);
        Events.At(now + 3 * Latency, () =>
        {
            theirs.Attached(to.Session.AttachIncoming(theirs));
            to.Session.ServeQueuedUploads();
        });
        Events.At(now + 4 * Latency, () =>
        {
            mine.Attached(session.DialSucceeded(endPoint, mine));
            session.ServeQueuedUploads();
        });
    }

    /// <summary>Moves the bytes of one step of <paramref name="microseconds"/> ending at the clock's time.</summary>
    public void Step(long microseconds)
    {
        _stepping.Clear();
        foreach (var connection in _active)
        {
            if (connection.IsClosing || connection.Demand <= 0 && connection.Credit <= 0)
            {
                connection.IsActive = false;
                connection.Credit = 0;
                continue;
            }
            _stepping.Add(connection);
        }
        _active.Clear();
        _active.AddRange(_stepping);
        if (_stepping.Count == 0)
        {
            return;
        }
        foreach (var connection in _stepping)
        {
            connection.Local.UpLeft = connection.Local.BytesPerMicrosecond * microseconds;
            connection.Remote.DownLeft = connection.Remote.BytesPerMicrosecond * microseconds;
            connection.Allocation = 0;
            connection.Frozen = false;
        }
        switch (Uplinks)
        {
            case UplinkSharing.InOrder:
                AllocateInOrder();
                break;
            case UplinkSharing.OldestFirst:
                AllocateOldestFirst();
                Allocate();
                break;
            case UplinkSharing.InOrderAtOrigin:
                AllocateInOrder(c => c.Local.Index == 0);
                Allocate();
                break;
            default:
                Allocate();
                break;
        }
        var weight = Math.Min(1.0, microseconds / 100_000.0);
        foreach (var connection in _stepping)
        {
            connection.Local.UpLeft = Math.Max(0, connection.Local.UpLeft);
            connection.Remote.DownLeft = Math.Max(0, connection.Remote.DownLeft);
        }
        // A link is congested when connections through it had more to send than it carried and it
        // was full: then TCP keeps the shaper's FIFO filled. A link only partly used, or used fully
        // by connections that sent all they had, has no standing queue.
        foreach (var connection in _stepping)
        {
            if (connection.Demand - connection.Allocation > 1)
            {
                var capacity = connection.Local.BytesPerMicrosecond * microseconds;
                if (connection.Local.UpLeft < capacity * 1e-3)
                {
                    connection.Local.UpCongested = true;
                }
                if (connection.Remote.DownLeft < capacity * 1e-3)
                {
                    connection.Remote.DownCongested = true;
                }
            }
        }
        foreach (var host in Hosts)
        {
            host.UpBusy += ((host.UpCongested ? 1 : 0) - host.UpBusy) * weight;
            host.DownBusy += ((host.DownCongested ? 1 : 0) - host.DownBusy) * weight;
            host.UpCongested = false;
            host.DownCongested = false;
        }
        Trace?.OnStep(Clock.Seconds, microseconds, _stepping, Hosts);
        // Transmitting may queue more (a reject, a have, super-seeding's reveals); those wait for the next step.
        foreach (var connection in _stepping)
        {
            var arrival = Clock.Microseconds + Latency + (long)(Queue * (connection.Local.UpBusy + connection.Remote.DownBusy));
            connection.Transmit(connection.Allocation, arrival);
        }
    }

    /// <summary>
    /// Every link serves the oldest waiting message first: connections whose next bytes are a
    /// control message (a request, a have: a few bytes) go ahead of blocks, then blocks by the time
    /// they were queued, each taking all its uplink and the receiver's downlink leave it.
    /// </summary>
    private void AllocateInOrder(Func<SimConnection, bool>? only = null)
    {
        _stepping.Sort((a, b) => a.HeadIsBlock != b.HeadIsBlock ? a.HeadIsBlock.CompareTo(b.HeadIsBlock) : a.HeadQueuedAt.CompareTo(b.HeadQueuedAt));
        foreach (var c in _stepping)
        {
            if (only != null && !only(c))
            {
                continue;
            }
            GiveAllItCan(c);
        }
    }

    /// <summary>
    /// On each uplink the connection whose next block was queued longest ago takes what it can
    /// first (its receiver's downlink may cap it); <see cref="Allocate"/> then shares the rest.
    /// </summary>
    private void AllocateOldestFirst()
    {
        foreach (var host in Hosts)
        {
            host.Oldest = null;
        }
        foreach (var c in _stepping)
        {
            if (c.HeadIsBlock && (c.Local.Oldest == null || c.HeadQueuedAt < c.Local.Oldest.HeadQueuedAt))
            {
                c.Local.Oldest = c;
            }
        }
        foreach (var host in Hosts)
        {
            if (host.Oldest is { } c)
            {
                GiveAllItCan(c);
            }
        }
    }

    /// <summary>Gives the connection as much of this step as it has queued and both its links have left.</summary>
    private static void GiveAllItCan(SimConnection c)
    {
        var give = Math.Max(0, Math.Min(c.Demand, Math.Min(c.Local.UpLeft, c.Remote.DownLeft)));
        c.Allocation = give;
        c.Local.UpLeft -= give;
        c.Remote.DownLeft -= give;
    }

    /// <summary>Max-min fair shares by progressive filling, a few rounds (enough: what is left after them is crumbs).</summary>
    private void Allocate()
    {
        for (var round = 0; round < 4; round++)
        {
            foreach (var c in _stepping)
            {
                c.Local.UpFlows = 0;
                c.Remote.DownDemand = 0;
            }
            var open = 0;
            foreach (var c in _stepping)
            {
                if (!c.Frozen)
                {
                    c.Local.UpFlows++;
                    open++;
                }
            }
            if (open == 0)
            {
                return;
            }
            // Each sender offers an even split of what is left of its uplink; nobody is offered more than it has queued.
            foreach (var c in _stepping)
            {
                c.Offer = 0;
                if (!c.Frozen)
                {
                    c.Offer = Math.Max(0, Math.Min(Math.Max(0, c.Local.UpLeft) / c.Local.UpFlows, c.Demand - c.Allocation));
                    c.Remote.DownDemand += c.Offer;
                }
            }
            // A receiver offered more than its downlink has left takes the same fraction of each offer, and those flows are done.
            var moved = 0.0;
            foreach (var c in _stepping)
            {
                if (c.Frozen)
                {
                    continue;
                }
                var down = c.Remote;
                if (down.DownDemand > down.DownLeft)
                {
                    // Rounding may leave a hair below zero: never a negative share.
                    c.Offer *= Math.Max(0, down.DownLeft) / down.DownDemand;
                    c.Frozen = true;
                }
                c.Allocation += c.Offer;
                moved += c.Offer;
                if (c.Allocation >= c.Demand - 1e-6)
                {
                    c.Frozen = true;
                }
            }
            foreach (var c in _stepping)
            {
                c.Local.UpLeft -= c.Offer;
                c.Remote.DownLeft -= c.Offer;
            }
            foreach (var c in _stepping)
            {
                if (!c.Frozen && (c.Local.UpLeft <= 1e-6 || c.Remote.DownLeft <= 1e-6))
                {
                    c.Frozen = true;
                }
            }
            if (moved < 1)
            {
                return;
            }
        }
    }
}

using System.Net;
using EzioPxe.Engine.Peers;
using Microsoft.Extensions.Logging;

namespace EzioPxe.Engine.Swarm;

/// <summary>
/// Who gets a connection slot. Any host on the LAN may be hostile, so every limit here holds per
/// source address, and a full session is never full for good: idle peers make room for
/// newcomers, a peer that sends us nothing makes room for one that dials us
/// (TorrentSession.RoomForNewcomers.cs), and with <see cref="SessionOptions.CycleWhenFull"/> (the
/// origin) long-connected peers take turns with those waiting.
/// </summary>
public sealed partial class TorrentSession
{
    /// <summary>Addresses kept as banned; beyond this a new ban only closes the connection.</summary>
    private const int MaxBannedAddresses = 4096;

    /// <summary>Addresses kept to dial; tracker answers beyond this are dropped unless a stale entry can go.</summary>
    private const int MaxKnownPeers = 2000;

    private const string AlreadyConnected = "already connected";

    /// <summary>
    /// How long a dial that found the peer already connected (it dialled us) waits before the next
    /// try: that connection may end, but redialling every few seconds only churns.
    /// </summary>
    private const int AlreadyConnectedRetryMilliseconds = 60_000;

    /// <summary>
    /// Two connections of the same pair of peers made within this of each other are two dials that
    /// crossed; either may be kept, and the peer ids pick the same one at both ends. A crossing
    /// takes a round trip and a handshake (milliseconds); this leaves room for a loaded machine.
    /// </summary>
    private const int CrossedDialWindowMilliseconds = 2000;

    private readonly HashSet<IPAddress> _banned = new();

    /// <summary>Decides under the lock whether a handshaken connection joins; null when it does (taking <paramref name="evict"/>'s slot if set), else why not.</summary>
    private string? Admit(SwarmPeer peer, IPEndPoint? endPoint, out SwarmPeer? evict)
    {
        evict = null;
        if (_stop.IsCancellationRequested)
        {
            return "session stopping";
        }
        if (peer.RemotePeerId.AsSpan().SequenceEqual(PeerId))
        {
            if (endPoint != null && _known.TryGetValue(endPoint, out var self))
            {
                self.IsSelf = true;
            }
            return "that is us";
        }
        var address = peer.RemoteEndPoint.Address;
        if (_banned.Contains(address))
        {
            return "banned";
        }
        var duplicate = _peers.FirstOrDefault(p => p.RemotePeerId.AsSpan().SequenceEqual(peer.RemotePeerId));
        if (duplicate != null)
        {
            // A connection that has been up a while stays: a second one from the same peer (it
            // learned our address from the tracker after we had dialled it) would otherwise cut the
            // transfers running on the first, with every block in flight, in the middle of a
            // deployment. Both ends see the same connection's age, so both refuse the newcomer.
            if (Now() - duplicate.ConnectedAtTicks >= CrossedDialWindowMilliseconds)
            {
                return AlreadyConnected;
            }
            // Both ends may dial each other at once; both keep the connection dialled by the lower peer id.
            var keepOutgoing = PeerId.AsSpan().SequenceCompareTo(peer.RemotePeerId) < 0;
            if (duplicate.IsOutgoing == keepOutgoing)
            {
                return AlreadyConnected;
            }
            evict = duplicate;
            return null;
        }
        if (_peers.Count(p => !p.IsClosing && p.RemoteEndPoint.Address.Equals(address)) >= Options.MaxConnectionsPerAddress)
        {
            return $"already {Options.MaxConnectionsPerAddress} connections from {address}";
        }
        // Peers already closing do not count: their slots are being freed.
        if (_peers.Count(p => !p.IsClosing) < Options.MaxConnections + Options.IncomingSlack)
        {
            return null;
        }
        var now = Now();
        evict = IdlestPeer(now)
            ?? (Options.CycleWhenFull ? LongestServedPeer(now)
                : endPoint == null ? PeerToMakeRoomFor(address, now) : null); // a peer that dialled us, not a dial of ours that crossed
        return evict == null ? "session full" : null;
    }

    /// <summary>The peer idle longest, if any has been idle for <see cref="SessionOptions.PeerIdleTimeout"/>.</summary>
    private SwarmPeer? IdlestPeer(long now)
    {
        SwarmPeer? idlest = null;
        foreach (var peer in _peers)
        {
            if (!peer.IsClosing && now - peer.LastActiveTicks >= Options.PeerIdleTimeout.TotalMilliseconds
                && (idlest == null || peer.LastActiveTicks < idlest.LastActiveTicks))
            {
                idlest = peer;
            }
        }
        return idlest;
    }

    /// <summary>
    /// Among peers connected at least <see cref="SessionOptions.CycleAfter"/>, the one holding the
    /// most pieces (it can best finish from the others), the longest-connected among equals.
    /// </summary>
    private SwarmPeer? LongestServedPeer(long now)
    {
        SwarmPeer? best = null;
        foreach (var peer in _peers)
        {
            if (peer.IsClosing || now - peer.ConnectedAtTicks < Options.CycleAfter.TotalMilliseconds)
            {
                continue;
            }
            var pieces = peer.PeerHave?.Count ?? 0;
            var bestPieces = best?.PeerHave?.Count ?? 0;
            if (best == null || pieces > bestPieces || pieces == bestPieces && peer.ConnectedAtTicks < best.ConnectedAtTicks)
            {
                best = peer;
            }
        }
        return best;
    }

    /// <summary>
    /// Called every tick: a session that cannot dial the peers it knows because idle ones fill its
    /// slots drops the idlest, so that the dial in the same tick has room.
    /// </summary>
    private void DropIdleWhenFull(long now)
    {
        if (_peers.Count(p => !p.IsClosing) < Options.MaxConnections || !_known.Values.Any(k => k.CanDial(now)))
        {
            return;
        }
        if (IdlestPeer(now) is { } idle)
        {
            _logger.LogDebug("{Torrent}: {Peer} is idle and the session is full; dropping it", Torrent.Info.Name, idle.Describe());
            idle.Close();
        }
    }

    /// <summary>Remembers an address to dial, within <see cref="MaxKnownPeers"/>: when full, an address that never answered goes.</summary>
    private void Remember(IPEndPoint endPoint)
    {
        if (_known.ContainsKey(endPoint))
        {
            return;
        }
        if (_known.Count >= MaxKnownPeers)
        {
            var stale = _known.Where(k => !k.Value.Connected && !k.Value.Connecting)
                .OrderByDescending(k => k.Value.Failures).Select(k => k.Key).FirstOrDefault();
            if (stale == null || _known[stale].Failures == 0)
            {
                return;
            }
            _known.Remove(stale);
        }
        // A peer that dialled us before the tracker named it is already connected.
        _known.Add(endPoint, new KnownPeer { Connected = _peers.Any(p => !p.IsClosing && endPoint.Equals(p.ListenEndPoint)) });
    }

    /// <summary>
    /// A peer that dialled us told us where it listens: the address the tracker hands out for it is
    /// taken, so we do not dial it as well (which would only end in a refused duplicate). Only its
    /// own address counts, whatever port it claims; a port we never heard of is not remembered.
    /// </summary>
    private void NoteListenPort(SwarmPeer peer, int? port)
    {
        if (peer.IsOutgoing || port is not (> 0 and <= 65535) || peer.ListenEndPoint != null)
        {
            return;
        }
        var endPoint = new IPEndPoint(peer.RemoteEndPoint.Address, port.Value);
        peer.ListenEndPoint = endPoint;
        if (_known.TryGetValue(endPoint, out var known) && !known.Connecting)
        {
            known.Connected = true;
        }
    }

    private void BanAddress(IPAddress address)
    {
        if (_banned.Count < MaxBannedAddresses)
        {
            _banned.Add(address);
        }
    }
}

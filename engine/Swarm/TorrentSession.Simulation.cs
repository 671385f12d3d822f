using System.Net;
using EzioPxe.Engine.Peers;

namespace EzioPxe.Engine.Swarm;

/// <summary>Dials peers for a session whose connections are not TCP (the swarm simulator's network).</summary>
internal interface IPeerDialer
{
    /// <summary>
    /// Starts a dial; later reports <see cref="TorrentSession.DialSucceeded"/> or
    /// <see cref="TorrentSession.DialFailed"/> on the session.
    /// </summary>
    void Dial(TorrentSession session, IPEndPoint endPoint);
}

/// <summary>
/// The entry points the swarm simulator (sim/EzioPxe.Sim) drives the session through, in virtual
/// time and on one thread: the same handlers, timer and admission the TCP path uses, without the
/// background tasks. Nothing here runs in a real session.
/// </summary>
public sealed partial class TorrentSession
{
    /// <summary>Set by the simulator: dials go to it instead of TCP.</summary>
    internal IPeerDialer? Dialer { get; set; }

    /// <summary>Set by the simulator: a complete piece is hashed and written on the calling thread (the simulator's storage answers at once).</summary>
    internal bool VerifyInline { get; set; }

    /// <summary>Pieces the origin has sent whole during super-seeding, and whether super-seeding has ended.</summary>
    internal (int PiecesSentWhole, bool Ended) SuperSeedProgress
    {
        get
        {
            lock (_lock)
            {
                return (_piecesSentWhole, _superSeedDone);
            }
        }
    }

    /// <summary>Like <see cref="StartAsync"/> without its background tasks: the simulator calls <see cref="OnTimer"/> and serves the upload queue itself.</summary>
    internal void StartSimulated()
    {
        lock (_lock)
        {
            if (_started)
            {
                throw new InvalidOperationException("session already started");
            }
            if (Options.ExistingData == ExistingData.Check)
            {
                throw new NotSupportedException("the simulator starts sessions blank or complete");
            }
            _started = true;
            if (Options.ExistingData == ExistingData.Complete)
            {
                _have.SetAll();
            }
        }
        if (_have.IsComplete)
        {
            _completed.TrySetResult();
        }
    }

    /// <summary>A connection a peer made to us (the listener's <see cref="IPeerAcceptor.AttachIncoming"/>); null when refused.</summary>
    internal SwarmPeer? AttachIncoming(IPeerTransport connection) => Attach(connection, endPoint: null);

    internal SwarmPeer? DialSucceeded(IPEndPoint endPoint, IPeerTransport connection) => OnDialed(endPoint, connection);

    internal void DialFailed(IPEndPoint endPoint) => OnDialFailed(endPoint);

    /// <summary>The connection of <paramref name="peer"/> ended: what the end of the TCP path's peer loop does.</summary>
    internal void OnConnectionEnded(SwarmPeer peer, IPEndPoint? endPoint)
    {
        Detach(peer, endPoint);
        ConnectMore();
    }

    /// <summary>Whether the session has the piece (for the simulator's trace).</summary>
    internal bool Has(int piece)
    {
        lock (_lock)
        {
            return _have[piece];
        }
    }

    /// <summary>Pieces being downloaded and the peers they are requested from (for the simulator's trace).</summary>
    internal string DescribeDownloads()
    {
        lock (_lock)
        {
            return string.Join(", ", _picker.Active.Values.Select(d => $"{d.Piece}:{d.ReceivedCount}/{d.BlockCount}"))
                + " | choked by " + _peers.Count(p => p.PeerChoking && p.AmInterested) + " of " + _peers.Count(p => p.AmInterested) + " interesting";
        }
    }

    /// <summary>Serves the blocks waiting in the upload queue now (the TCP path's queue loop does this on its own task).</summary>
    internal void ServeQueuedUploads() => _uploads.ServeQueued();
}

using System.Net;
using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Pieces;
using EzioPxe.Engine.Wire;

namespace EzioPxe.Engine.Swarm;

/// <summary>
/// The session's view of one connected peer: choke and interest flags both ways, the pieces it
/// has, our requests to it, its queued uploads, rates and timestamps. Owned by the session and
/// guarded by its lock; the wire itself is <see cref="Connection"/>, which knows none of this.
/// </summary>
internal sealed class SwarmPeer : IPeerHandler
{
    private readonly TorrentSession _session;

    /// <param name="clock">The session's clock (virtual in the swarm simulator), for timestamps and rates.</param>
    public SwarmPeer(TorrentSession session, IPeerTransport connection, Func<long> clock)
    {
        _session = session;
        var now = clock();
        Connection = connection;
        LastPieceDataTicks = now;
        ConnectedAtTicks = now;
        LastActiveTicks = now;
        ChokedAtTicks = now;
        Download = new RateMeter(clock);
        Upload = new RateMeter(clock);
    }

    public IPeerTransport Connection { get; }

    public bool AmChoking { get; set; } = true;

    public bool AmInterested { get; set; }

    public bool PeerChoking { get; set; } = true;

    public bool PeerInterested { get; set; }

    /// <summary>What the peer said it has; null until its bitfield, have-all, have-none or first have.</summary>
    public BitField? PeerHave { get; set; }

    /// <summary>Pieces in <see cref="PeerHave"/> that we do not have; kept up to date by the session, so interest needs no scan.</summary>
    public int PiecesWanted { get; set; }

    /// <summary>Our block requests to it not answered yet.</summary>
    public HashSet<BlockRequest> Pending { get; } = new();

    /// <summary>Its "reqq": how many requests it accepts outstanding.</summary>
    public int PeerMaxRequests { get; set; } = 250;

    /// <summary>Its block requests accepted and not yet sent (or dropped).</summary>
    public int QueuedUploads { get; set; }

    /// <summary>Queued uploads it cancelled; skipped when their turn comes.</summary>
    public HashSet<(int Piece, int Offset)> CancelledUploads { get; } = new();

    /// <summary>Super-seeding: pieces shown to it that it does not have yet.</summary>
    public HashSet<int> Revealed { get; } = new();

    /// <summary>Super-seeding: when it was last found to have nothing it may be shown (not tried again in the same millisecond).</summary>
    public long RevealTriedTicks { get; set; } = -1;

    /// <summary>Super-seeding: when it was last shown a piece (the origin's reveals go round its peers).</summary>
    public long LastRevealTicks { get; set; }

    public int HashFailures { get; set; }

    public long LastPieceDataTicks { get; set; }

    public long UnchokedAtTicks { get; set; }

    /// <summary>When we last choked it (at first: when it connected); the peer choked longest gets the next upload turn.</summary>
    public long ChokedAtTicks { get; set; }

    /// <summary>Block bytes sent to it since we last unchoked it (its upload turn).</summary>
    public long SentThisTurn { get; set; }

    /// <summary>When it last asked us for a block.</summary>
    public long LastRequestTicks { get; set; }

    public long ConnectedAtTicks { get; }

    /// <summary>When it last asked us for a block or sent us one it owed; a peer idle long enough may lose its slot.</summary>
    public long LastActiveTicks { get; set; }

    public RateMeter Download { get; }

    public RateMeter Upload { get; }

    /// <summary>The client name from its extension handshake.</summary>
    public string? RemoteClient { get; set; }

    /// <summary>
    /// For a peer that dialled us: the address it listens on (its address and the port its
    /// extension handshake gave), as the tracker would hand it out. Null when it gave none.
    /// </summary>
    public IPEndPoint? ListenEndPoint { get; set; }

    public IPEndPoint RemoteEndPoint => Connection.RemoteEndPoint;

    public byte[] RemotePeerId => Connection.RemotePeerId;

    public bool IsOutgoing => Connection.IsOutgoing;

    public bool SupportsFast => Connection.SupportsFast;

    public bool SupportsExtensions => Connection.SupportsExtensions;

    public bool IsClosing => Connection.IsClosing;

    public void Send(Outgoing message) => Connection.Send(message);

    public void Close() => Connection.Close();

    public string Describe() => $"{RemoteEndPoint} ({RemoteClient ?? PeerId.Describe(RemotePeerId)})";

    void IPeerHandler.OnMessage(in PeerMessage message) => _session.OnMessage(this, message);

    bool IPeerHandler.ShouldSendBlock(int piece, int offset, int length) => _session.ShouldSendBlock(this, piece, offset, length);

    bool IPeerHandler.TryLendBlock(int piece, int offset, int length, out PieceCache.CachedBlock block) => _session.TryLendCachedBlock(piece, offset, length, out block);

    void IPeerHandler.OnBlockNotInMemory(int piece, int offset, int length) => _session.RequeueUpload(this, piece, offset, length);

    void IPeerHandler.OnBlockSent(int piece, int offset, int length)
    {
        Upload.Add(length);
        _session.OnBlockSent(this, piece, length);
    }
}

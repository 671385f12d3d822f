namespace EzioPxe.Engine.Swarm;

/// <summary>
/// Upload turns: with more interested peers than <see cref="SessionOptions.MaxUnchoked"/>, the
/// uplink serves that many at a time, each for <see cref="SessionOptions.UploadTurnPieces"/>
/// pieces' worth, then the next. Issue 16's simulator showed why (docs/benchmarks.md, "sim"): with
/// every interested peer unchoked, a busy machine's uplink in a room of 100 was split among 10 to
/// 30 requesters at once and a block waited up to a second in its queue, so each piece crossed a
/// hop at a fraction of the link and could be passed on only once whole. Served a bounded number at
/// a time, pieces are whole sooner and their new holders pass them on while we serve the next
/// peers (simulated N = 100, with the origin's pieces in flight limited too: slowest machine 3.06
/// -> 2.35 S/B). Round robin (the peer choked longest goes next) keeps anyone from starving. Not in
/// super-seeding: the origin's reveals already ration what it sends, and a peer shown a piece must
/// be able to fetch it.
/// </summary>
public sealed partial class TorrentSession
{
    /// <summary>An unchoked peer that asked for nothing for this long while others wait gives up its turn.</summary>
    private static readonly TimeSpan IdleTurn = TimeSpan.FromSeconds(1);

    private bool RationsUploads => !InSuperSeedMode && Options.UploadTurnPieces > 0;

    /// <summary>Upload slots: <see cref="SessionOptions.MaxUnchoked"/>, but every interested peer while super-seeding (a peer shown a piece must be able to fetch it).</summary>
    private int UnchokeSlots => InSuperSeedMode ? int.MaxValue : Options.MaxUnchoked;

    /// <summary>
    /// Called under the lock for each block about to be sent to <paramref name="peer"/>: once its
    /// turn is used up and someone waits, it is choked (what it still has queued is rejected, BEP 6,
    /// or dropped, BEP 3, and it asks others) and the peer that waited longest is unchoked.
    /// </summary>
    private void CountUploadTurn(SwarmPeer peer, int length)
    {
        peer.SentThisTurn += length;
        if (!RationsUploads || peer.SentThisTurn < (long)Options.UploadTurnPieces * Torrent.Info.PieceLength)
        {
            return;
        }
        if (LongestWaiting() is { } next)
        {
            Choke(peer);
            Unchoke(next);
        }
    }

    /// <summary>The interested peer we have choked longest (the next turn), or null when nobody waits.</summary>
    private SwarmPeer? LongestWaiting()
    {
        SwarmPeer? next = null;
        foreach (var peer in _peers)
        {
            if (peer.AmChoking && peer.PeerInterested && !peer.IsClosing && (next == null || peer.ChokedAtTicks < next.ChokedAtTicks))
            {
                next = peer;
            }
        }
        return next;
    }

    /// <summary>Unchokes waiting peers while there are free slots (one left, lost interest or ended its turn idle).</summary>
    private void FillUnchokeSlots()
    {
        var free = UnchokeSlots - UnchokedInterestedCount();
        while (free-- > 0 && LongestWaiting() is { } next)
        {
            Unchoke(next);
        }
    }

    /// <summary>
    /// Called every tick: an unchoked peer that has asked us for nothing for <see cref="IdleTurn"/>
    /// while others wait (it wants pieces we have but cannot start them now) makes way.
    /// </summary>
    private void EndIdleTurns(long now)
    {
        if (!RationsUploads)
        {
            return;
        }
        foreach (var peer in _peers.ToList())
        {
            if (!peer.AmChoking && peer.PeerInterested && peer.QueuedUploads == 0
                && now - Math.Max(peer.UnchokedAtTicks, peer.LastRequestTicks) > IdleTurn.TotalMilliseconds
                && LongestWaiting() is { } next)
            {
                Choke(peer);
                Unchoke(next);
            }
        }
    }
}

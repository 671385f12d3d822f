using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Pieces;
using EzioPxe.Engine.Wire;
using Microsoft.Extensions.Logging;

namespace EzioPxe.Engine.Swarm;

/// <summary>
/// Super-seeding (BEP 16) for the origin server, whose uplink is the room's bottleneck: instead of
/// a full bitfield each peer is shown a few pieces and is shown more as it reports having them.
/// A piece is shown to one machine at a time and, once shown, not again: the machines pass it on,
/// and the origin's uplink goes to pieces nobody has. Only if the origin has sent nothing for a
/// few seconds while machines still download (a holder left; a machine does not fetch what it was
/// shown) are pieces shown again.
/// So each piece leaves the origin about once and the peers trade the rest, to the end (every byte
/// the origin sends twice is time, issue 16). Only when at most one machine still downloads does
/// the origin show everything.
/// </summary>
public sealed partial class TorrentSession
{
    private readonly int[] _timesRevealed;
    private readonly long[] _bytesSent;

    /// <summary>Pieces shown and not yet sent whole, with when each last made progress (shown, or a block of it sent).</summary>
    private readonly Dictionary<int, long> _revealsInFlight = new();
    private readonly List<int> _revealsDone = new();

    /// <summary>
    /// A piece shown that has had no block sent for this long stops counting against
    /// <see cref="SessionOptions.SuperSeedingPiecesInFlight"/>: its peer does not fetch it now
    /// (its download memory is full, it is gone), and the origin must not idle for it. It stays
    /// shown to that peer.
    /// </summary>
    private static readonly TimeSpan RevealPatience = TimeSpan.FromSeconds(1);
    private int _piecesSentWhole;
    private bool _superSeedDone;
    private long _fewLeechersSinceTicks;

    /// <summary>Rationing only pays while leechers can trade; one left alone would wait on each reveal.</summary>
    private static readonly TimeSpan LoneLeecherGrace = TimeSpan.FromSeconds(10);

    /// <summary>
    /// With nothing sent for this long while peers still download, the pieces shown to peers that
    /// do not fetch them may be shown to others: the origin must never wait on one stuck peer.
    /// </summary>
    private static readonly TimeSpan StalledReveals = TimeSpan.FromSeconds(3);

    private long _lastSuperSeedSendTicks;

    /// <summary>
    /// <see cref="StalledReveals"/> once every piece has left the origin whole. The machines then
    /// hold the image between them and pass the last pieces on for several seconds (in the netns
    /// room of 32, 7 s from the origin's last block to the last machine done) while the origin
    /// idles; showing pieces again after 3 s had it send 8-18 % of the image a second time and
    /// finished no machine sooner (0.5 s: 1.18x, 3 s: 1.08-1.12x, 8 s: 1.00x, T/(S/B) 1.42-1.44
    /// each). A holder that left or a peer that does not pass pieces on is still covered, later.
    /// </summary>
    private static readonly TimeSpan StalledAfterAllSent = TimeSpan.FromSeconds(10);

    /// <summary>Whether the origin has sent nothing for long enough, with peers downloading, to show pieces again.</summary>
    private bool IsStalled(long now)
        => now - _lastSuperSeedSendTicks > (_piecesSentWhole >= _have.Length ? StalledAfterAllSent : StalledReveals).TotalMilliseconds;

    /// <summary>How long a peer without the Fast extension may stay silent about what it has before it counts as empty.</summary>
    private static readonly TimeSpan SilentPeerGrace = TimeSpan.FromSeconds(1);

    /// <summary>True while the origin still rations what it shows (guarded by the lock where it changes).</summary>
    private bool InSuperSeedMode => Options.SuperSeeding && !_superSeedDone && _have.IsComplete;

    private static void SendOpeningAsSuperSeed(SwarmPeer peer)
    {
        // Show nothing yet: pieces are revealed one by one once the peer's own bitfield is known.
        if (peer.SupportsFast)
        {
            peer.Send(Outgoing.Simple(MessageId.HaveNone));
        }
    }

    /// <summary>Tops up the pieces shown to <paramref name="peer"/> that it does not have yet.</summary>
    private void RevealMore(SwarmPeer peer)
    {
        if (!InSuperSeedMode || peer.PeerHave == null)
        {
            return;
        }
        peer.Revealed.RemoveWhere(piece => peer.PeerHave[piece]);
        var now = Now();
        while (peer.Revealed.Count < Options.SuperSeedingPiecesPerPeer && HasRevealSlot(now))
        {
            var piece = PieceToReveal(peer);
            if (piece < 0)
            {
                return;
            }
            Reveal(peer, piece, now);
        }
    }

    /// <summary>
    /// Shows <paramref name="piece"/> to the peer, and with it the one piece the peer would then
    /// still lack unshown, if that one was never shown to anyone. The "have" that shows a peer its
    /// last missing piece makes us a seed in its eyes, and libtorrent 2.0 drops a seed it is not
    /// interested in before it looks at the piece just shown ("uninteresting upload-only peer"),
    /// then waits a minute to dial again: a lone leecher that had fetched everything shown to it
    /// hung at 98.5 % in CI. Right behind a piece it lacks, that last "have" finds it interested.
    /// </summary>
    private void Reveal(SwarmPeer peer, int piece, long now)
    {
        Show(peer, piece, now);
        if (OnlyPieceLeftUnshown(peer) is int last && _timesRevealed[last] == 0)
        {
            Show(peer, last, now);
        }
    }

    /// <summary>The one piece the peer lacks and has not been shown, or null when none or several are left.</summary>
    private static int? OnlyPieceLeftUnshown(SwarmPeer peer)
    {
        var have = peer.PeerHave!;
        // Shown pieces it has are pruned only now and then, so this bound is low: a cheap way out
        // for every peer but one near its end.
        if (have.Length - have.Count - peer.Revealed.Count > 1)
        {
            return null;
        }
        int? only = null;
        for (var piece = 0; piece < have.Length; piece++)
        {
            if (!have[piece] && !peer.Revealed.Contains(piece))
            {
                if (only != null)
                {
                    return null;
                }
                only = piece;
            }
        }
        return only;
    }

    private void Show(SwarmPeer peer, int piece, long now)
    {
        peer.Revealed.Add(piece);
        peer.LastRevealTicks = now;
        _timesRevealed[piece]++;
        _revealsInFlight[piece] = now;
        peer.Send(Outgoing.Index(MessageId.Have, piece));
    }

    /// <summary>Whether fewer pieces than <see cref="SessionOptions.SuperSeedingPiecesInFlight"/> are on their way out (forgetting those sent whole or stalled).</summary>
    private bool HasRevealSlot(long now)
    {
        var cap = Options.SuperSeedingPiecesInFlight;
        if (cap <= 0)
        {
            return true;
        }
        if (_revealsInFlight.Count < cap)
        {
            return true;
        }
        _revealsDone.Clear();
        foreach (var (piece, progress) in _revealsInFlight)
        {
            if (_bytesSent[piece] >= Torrent.Info.GetPieceSize(piece) || !MadeProgressLately(progress, now))
            {
                _revealsDone.Add(piece);
            }
        }
        foreach (var piece in _revealsDone)
        {
            _revealsInFlight.Remove(piece);
        }
        return _revealsInFlight.Count < cap;
    }

    /// <summary>
    /// A reveal slot came free (a piece was sent whole): show a piece to the next peer in turn, one
    /// with nothing shown and unfetched, the one shown a piece longest ago, until the slots are full
    /// or nobody can take one. Round robin spreads the new pieces over all the origin's peers:
    /// given to whoever has fewest pieces, they all went to one or two machines, and the room
    /// queued at those two uplinks (N = 32: 5.7 S/B).
    /// </summary>
    private void FillRevealSlots()
    {
        if (Options.SuperSeedingPiecesInFlight <= 0)
        {
            return; // no global limit: each peer's own reveals are topped up as it reports pieces
        }
        var now = Now();
        var tried = 0;
        while (HasRevealSlot(now) && tried < _peers.Count)
        {
            SwarmPeer? best = null;
            foreach (var peer in _peers)
            {
                if (peer.IsClosing || peer.PeerHave == null || peer.PeerHave.IsComplete || peer.RevealTriedTicks == now
                    || peer.Revealed.Count >= Options.SuperSeedingPiecesPerPeer)
                {
                    continue;
                }
                if (best == null || peer.Revealed.Count < best.Revealed.Count
                    || peer.Revealed.Count == best.Revealed.Count && peer.LastRevealTicks < best.LastRevealTicks)
                {
                    best = peer;
                }
            }
            if (best == null)
            {
                return;
            }
            tried++;
            var piece = PieceToReveal(best);
            if (piece < 0)
            {
                best.RevealTriedTicks = now; // nothing it may be shown now; the next one
                continue;
            }
            Reveal(best, piece, now);
        }
    }

    /// <summary>
    /// The piece to show the peer next, or -1 for none: one never shown (the rarest among peers
    /// first). A piece shown before is left for the peers to pass on; in a room larger than the
    /// origin's connections its holders may not be connected to the origin at all, so the origin's
    /// own view of who has it is no reason to send it again. When stalled, the least available
    /// piece the peer lacks that is not on its way to another peer already (<see cref="OnItsWay"/>):
    /// in a room's tail every machine lacks the same few rare pieces, and showing each of them to
    /// every peer at once had the origin send the same 3 pieces 19 times each, its uplink split
    /// 19 ways (netns, N = 32: 1.19-1.23x the image), where one copy each lets the machines pass
    /// them on.
    /// </summary>
    private int PieceToReveal(SwarmPeer peer)
    {
        var now = Now();
        var stalled = IsStalled(now);
        var best = -1;
        var bestNew = false;
        for (var piece = 0; piece < _timesRevealed.Length; piece++)
        {
            var isNew = _timesRevealed[piece] == 0;
            if (peer.PeerHave![piece] || peer.Revealed.Contains(piece) || !isNew && (!stalled || OnItsWay(piece, now)))
            {
                continue;
            }
            if (best < 0 || isNew && !bestNew || isNew == bestNew && _picker.Availability(piece) < _picker.Availability(best))
            {
                best = piece;
                bestNew = isNew;
                if (isNew && _picker.Availability(piece) == 0)
                {
                    break;
                }
            }
        }
        return best;
    }

    /// <summary>
    /// Whether a piece was shown or sent within <see cref="RevealPatience"/>: one shown a moment
    /// ago in this same stall round goes to nobody else, but one shown long ago to a peer that
    /// never fetched it (a hostile host's idle connections count as empty peers) must be shown
    /// to a machine that will.
    /// </summary>
    private bool OnItsWay(int piece, long now)
        => _revealsInFlight.TryGetValue(piece, out var progress) && MadeProgressLately(progress, now);

    /// <summary>Whether a piece in <see cref="_revealsInFlight"/> was shown or had a block sent within <see cref="RevealPatience"/>.</summary>
    private static bool MadeProgressLately(long progress, long now) => now - progress <= RevealPatience.TotalMilliseconds;

    /// <summary>
    /// Called every tick: a peer without the Fast extension that has not said what it has a second
    /// after connecting has nothing. BEP 3 lets a peer with no pieces skip the bitfield, and
    /// rtorrent and ctorrent do; without this it would be shown nothing until super-seeding ends.
    /// A bitfield that comes later still replaces this view.
    /// </summary>
    private void ShowSilentPeersPieces(long now)
    {
        if (!InSuperSeedMode)
        {
            return;
        }
        var stalled = IsStalled(now);
        foreach (var peer in _peers)
        {
            if (peer.PeerHave == null && !peer.SupportsFast && now - peer.ConnectedAtTicks >= SilentPeerGrace.TotalMilliseconds)
            {
                peer.PeerHave = new BitField(_have.Length);
                RevealMore(peer);
            }
            else if (stalled)
            {
                RevealMore(peer);
            }
        }
    }

    /// <summary>
    /// Called every tick: with at most one leecher connected for a while (the others done or gone),
    /// nobody is left to pass pieces on, so the origin shows everything. The grace period keeps a
    /// room whose machines boot a few seconds apart from losing super-seeding at the start.
    /// </summary>
    private void LeaveSuperSeedingWhenAlone(long now)
    {
        if (!InSuperSeedMode)
        {
            return;
        }
        var leechers = _peers.Count(p => p.PeerHave is not { IsComplete: true });
        if (leechers > 1 || _peers.Count == 0)
        {
            _fewLeechersSinceTicks = 0;
            return;
        }
        if (_fewLeechersSinceTicks == 0)
        {
            _fewLeechersSinceTicks = now;
        }
        else if (now - _fewLeechersSinceTicks >= LoneLeecherGrace.TotalMilliseconds)
        {
            LeaveSuperSeedMode();
        }
    }

    private void CountSuperSeedUpload(int piece, int length)
    {
        var now = Now();
        _lastSuperSeedSendTicks = now;
        var size = Torrent.Info.GetPieceSize(piece);
        var before = _bytesSent[piece];
        _bytesSent[piece] += length;
        if (_revealsInFlight.ContainsKey(piece))
        {
            _revealsInFlight[piece] = now;
        }
        if (before < size && _bytesSent[piece] >= size)
        {
            _piecesSentWhole++; // for status: a full copy has left the origin once this reaches the piece count
            _revealsInFlight.Remove(piece);
            FillRevealSlots();
        }
    }

    private void LeaveSuperSeedMode()
    {
        _superSeedDone = true;
        _logger.LogInformation("{Torrent}: super-seeding ends ({Sent} of {Count} pieces sent whole); seeding normally now", Torrent.Info.Name, _piecesSentWhole, _have.Length);
        // One "have" per piece not shown yet: have-all may only open a connection (BEP 6).
        foreach (var peer in _peers)
        {
            for (var piece = 0; piece < _have.Length; piece++)
            {
                if (!peer.Revealed.Contains(piece))
                {
                    peer.Send(Outgoing.Index(MessageId.Have, piece));
                }
            }
        }
    }
}

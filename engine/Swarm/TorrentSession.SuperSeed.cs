using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Wire;
using Microsoft.Extensions.Logging;

namespace EzioPxe.Engine.Swarm;

/// <summary>
/// Super-seeding (BEP 16) for the origin server, whose uplink is the room's bottleneck: instead of
/// a full bitfield each peer is shown a few pieces, the ones shown to the fewest peers so far, and is
/// shown more as it reports having them. So each piece leaves the origin about once and the peers
/// trade the rest. When every piece has been sent whole at least once the swarm holds a full copy,
/// and the origin shows everything so that nobody waits on it.
/// </summary>
public sealed partial class TorrentSession
{
    private readonly int[] _timesRevealed;
    private readonly long[] _bytesSent;
    private int _piecesSentWhole;
    private bool _superSeedDone;
    private long _fewLeechersSinceTicks;

    /// <summary>Rationing only pays while leechers can trade; one left alone would wait on each reveal.</summary>
    private static readonly TimeSpan LoneLeecherGrace = TimeSpan.FromSeconds(10);

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
        while (peer.Revealed.Count < Options.SuperSeedingPiecesPerPeer)
        {
            var piece = LeastShownPieceFor(peer);
            if (piece < 0)
            {
                return;
            }
            peer.Revealed.Add(piece);
            _timesRevealed[piece]++;
            peer.Send(Outgoing.Index(MessageId.Have, piece));
        }
    }

    /// <summary>The piece the peer lacks that was shown to the fewest peers, rarest in the swarm among those.</summary>
    private int LeastShownPieceFor(SwarmPeer peer)
    {
        var best = -1;
        for (var piece = 0; piece < _timesRevealed.Length; piece++)
        {
            if (peer.PeerHave![piece] || peer.Revealed.Contains(piece))
            {
                continue;
            }
            if (best < 0 || _timesRevealed[piece] < _timesRevealed[best]
                || _timesRevealed[piece] == _timesRevealed[best] && _picker.Availability(piece) < _picker.Availability(best))
            {
                best = piece;
                if (_timesRevealed[piece] == 0 && _picker.Availability(piece) == 0)
                {
                    break;
                }
            }
        }
        return best;
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
        var size = Torrent.Info.GetPieceSize(piece);
        var before = _bytesSent[piece];
        _bytesSent[piece] += length;
        if (before < size && _bytesSent[piece] >= size && ++_piecesSentWhole == _have.Length)
        {
            LeaveSuperSeedMode();
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

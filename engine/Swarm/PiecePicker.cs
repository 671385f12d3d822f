using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Pieces;

namespace EzioPxe.Engine.Swarm;

/// <summary>
/// Decides which blocks to request from which peer: rarest piece first (from a random start, so
/// that peers holding the same pieces do not all start alike), whole pieces from one peer where
/// possible, help on other peers' pieces when out of new ones, and end-game duplicates at the very
/// end. The pieces it may start (missing, checked, neither downloading nor verifying) are kept in
/// <see cref="AvailabilityBuckets"/>, so neither a "have" nor a pick walks every piece. Guarded
/// by the session lock.
/// </summary>
internal sealed class PiecePicker
{
    private readonly BitField _have;
    private readonly Func<int, int> _pieceSize;
    private readonly AvailabilityBuckets _candidates;

    /// <param name="random">Where the random order within an availability bucket comes from (seeded in the swarm simulator).</param>
    public PiecePicker(BitField have, Func<int, int> pieceSize, Random? random = null)
    {
        _have = have;
        _pieceSize = pieceSize;
        Unchecked = new BitField(have.Length);
        _candidates = new AvailabilityBuckets(have.Length, random ?? new Random());
        RefreshAll();
    }

    /// <summary>Pieces being downloaded, by index.</summary>
    public Dictionary<int, PieceDownload> Active { get; } = new();

    /// <summary>
    /// Pieces complete in memory and being hashed or written. Adding a piece that was
    /// <see cref="Active"/> needs nothing more; removing one goes through <see cref="DoneVerifying"/>.
    /// </summary>
    public HashSet<int> Verifying { get; } = new();

    /// <summary>
    /// Pieces the background check has not looked at yet. They are not downloaded until checked: the
    /// check reads at disk speed, ahead of the network, and on a blank disk finds pieces missing at once.
    /// Read it here; change it through <see cref="MarkAllUnchecked"/> and <see cref="MarkChecked"/>.
    /// </summary>
    public BitField Unchecked { get; }

    /// <summary>How many pieces <see cref="Pick"/> could start for a peer that has everything.</summary>
    public int CandidateCount => _candidates.Count;

    public int Availability(int piece) => _candidates.Availability(piece);

    public void AddAvailability(BitField peerHave, int sign)
    {
        var bytes = peerHave.Bytes;
        for (var index = 0; index < bytes.Length; index++)
        {
            for (var bits = bytes[index]; bits != 0; bits &= (byte)(bits - 1))
            {
                // Lowest set bit first; bit 7 of a byte is the first of its eight pieces.
                var piece = index * 8 + 7 - System.Numerics.BitOperations.TrailingZeroCount((uint)bits);
                _candidates.ChangeAvailability(piece, sign);
            }
        }
    }

    public void AddAvailability(int piece) => _candidates.ChangeAvailability(piece, +1);

    /// <summary>How many pieces <paramref name="peerHave"/> includes that we still need; the session keeps this count per peer for the interested flag.</summary>
    public int CountWanted(BitField peerHave)
    {
        var theirs = peerHave.Bytes;
        var ours = _have.Bytes;
        var count = 0;
        for (var i = 0; i < theirs.Length; i++)
        {
            count += System.Numerics.BitOperations.PopCount((uint)(theirs[i] & ~ours[i] & 0xff));
        }
        return count;
    }

    /// <summary>The check is to look at every piece again (the session starts); nothing is started meanwhile.</summary>
    public void MarkAllUnchecked()
    {
        Unchecked.SetAll();
        RefreshAll();
    }

    /// <summary>The check looked at the piece, or the piece is had anyway.</summary>
    public void MarkChecked(int piece)
    {
        Unchecked[piece] = false;
        Refresh(piece);
    }

    /// <summary>The piece's hash was checked: had now (the caller marks it), or to be downloaded again.</summary>
    public void DoneVerifying(int piece)
    {
        Verifying.Remove(piece);
        Refresh(piece);
    }

    /// <summary>After pieces were had or unchecked in bulk: every piece's place among the candidates again.</summary>
    public void RefreshAll()
    {
        for (var piece = 0; piece < _have.Length; piece++)
        {
            Refresh(piece);
        }
    }

    /// <summary>Puts the piece among the candidates or takes it out, from what is known of it now.</summary>
    public void Refresh(int piece)
    {
        if (_have[piece] || Unchecked[piece] || Active.ContainsKey(piece) || Verifying.Contains(piece))
        {
            _candidates.Remove(piece);
        }
        else
        {
            _candidates.Add(piece);
        }
    }

    /// <summary>
    /// Adds up to <paramref name="slots"/> block requests for <paramref name="peer"/> to <paramref name="output"/>.
    /// </summary>
    /// <param name="rentBuffer">Gives a piece buffer, or null when the download memory is used up.</param>
    public void Pick(SwarmPeer peer, int slots, Func<PieceBuffer?> rentBuffer, List<BlockRequest> output)
    {
        var peerHave = peer.PeerHave;
        if (peerHave == null || slots <= 0)
        {
            return;
        }
        // 1. Blocks of pieces this peer started.
        foreach (var download in Active.Values)
        {
            if (download.Owner == peer && TakeUnrequested(download, peer, ref slots, output) && slots == 0)
            {
                return;
            }
        }
        // 2. New pieces, rarest first, owned by this peer.
        while (slots > 0)
        {
            var piece = _candidates.FindRarest(peerHave);
            if (piece < 0)
            {
                break;
            }
            var buffer = rentBuffer();
            if (buffer == null)
            {
                break;
            }
            var download = new PieceDownload(piece, _pieceSize(piece), buffer) { Owner = peer };
            Active.Add(piece, download);
            _candidates.Remove(piece);
            TakeUnrequested(download, peer, ref slots, output);
        }
        // 3. Unrequested blocks of other peers' pieces.
        foreach (var download in Active.Values)
        {
            if (slots == 0)
            {
                return;
            }
            if (download.Owner != peer && peerHave[download.Piece])
            {
                TakeUnrequested(download, peer, ref slots, output);
            }
        }
        // 4. End-game: everything missing is requested; ask this peer too for blocks still outstanding elsewhere.
        if (slots > 0 && IsEndGame())
        {
            foreach (var download in Active.Values)
            {
                if (!peerHave[download.Piece])
                {
                    continue;
                }
                for (var block = 0; block < download.BlockCount && slots > 0; block++)
                {
                    var request = new BlockRequest(download.Piece, block);
                    if (!download.Received[block] && download.Requests[block] < 2 && !peer.Pending.Contains(request))
                    {
                        download.Requests[block]++;
                        output.Add(request);
                        slots--;
                    }
                }
            }
        }
    }

    private bool IsEndGame()
    {
        var missing = _have.Length - _have.Count - Verifying.Count;
        return missing == Active.Count;
    }

    private static bool TakeUnrequested(PieceDownload download, SwarmPeer peer, ref int slots, List<BlockRequest> output)
    {
        var took = false;
        for (var block = 0; block < download.BlockCount && slots > 0; block++)
        {
            if (!download.Received[block] && download.Requests[block] == 0)
            {
                download.Requests[block] = 1;
                output.Add(new BlockRequest(download.Piece, block));
                slots--;
                took = true;
            }
        }
        return took;
    }
}

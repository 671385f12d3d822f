using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Pieces;

namespace EzioPxe.Engine.Swarm;

/// <summary>
/// Decides which blocks to request from which peer: rarest piece first (from a random start, so
/// that peers holding the same pieces do not all start alike), whole pieces from one peer where
/// possible, help on other peers' pieces when out of new ones, and end-game duplicates at the very
/// end. Guarded by the session lock.
/// </summary>
internal sealed class PiecePicker
{
    private readonly BitField _have;
    private readonly int[] _availability;
    private readonly Func<int, int> _pieceSize;
    private readonly Random _random;

    /// <param name="random">Where the random start of the rarest-first scan comes from (seeded in the swarm simulator).</param>
    public PiecePicker(BitField have, Func<int, int> pieceSize, Random? random = null)
    {
        _random = random ?? new Random();
        _have = have;
        _pieceSize = pieceSize;
        _availability = new int[have.Length];
        Unchecked = new BitField(have.Length);
    }

    /// <summary>Pieces being downloaded, by index.</summary>
    public Dictionary<int, PieceDownload> Active { get; } = new();

    /// <summary>Pieces complete in memory and being hashed or written.</summary>
    public HashSet<int> Verifying { get; } = new();

    /// <summary>
    /// Pieces the background check has not looked at yet. They are not downloaded until checked: the
    /// check reads at disk speed, ahead of the network, and on a blank disk finds pieces missing at once.
    /// </summary>
    public BitField Unchecked { get; }

    public int Availability(int piece) => _availability[piece];

    public void AddAvailability(BitField peerHave, int sign)
    {
        for (var i = 0; i < peerHave.Length; i++)
        {
            if (peerHave[i])
            {
                _availability[i] += sign;
            }
        }
    }

    public void AddAvailability(int piece) => _availability[piece]++;

    /// <summary>True when the peer has a piece we still need (for the interested flag).</summary>
    public bool Wants(BitField peerHave)
    {
        if (peerHave.IsComplete)
        {
            return !_have.IsComplete;
        }
        for (var i = 0; i < _have.Length; i++)
        {
            if (peerHave[i] && !_have[i])
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Adds up to <paramref name="slots"/> block requests for <paramref name="peer"/> to <paramref name="output"/>.
    /// </summary>
    /// <param name="rentBuffer">Gives a piece buffer, or null when the download memory is used up.</param>
    public void Pick(SwarmPeer peer, int slots, Func<byte[]?> rentBuffer, List<BlockRequest> output)
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
            var piece = FindRarest(peerHave);
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

    private int FindRarest(BitField peerHave)
    {
        var count = _have.Length;
        var start = _random.Next(count);
        var best = -1;
        var bestAvailability = int.MaxValue;
        for (var n = 0; n < count; n++)
        {
            var i = start + n;
            if (i >= count)
            {
                i -= count;
            }
            if (_have[i] || !peerHave[i] || Active.ContainsKey(i) || Verifying.Contains(i) || Unchecked[i])
            {
                continue;
            }
            var availability = _availability[i];
            if (availability < bestAvailability)
            {
                best = i;
                bestAvailability = availability;
                if (availability <= 1)
                {
                    break; // nothing can be rarer than a piece only this peer has
                }
            }
        }
        return best;
    }
}

using EzioPxe.Engine.Pieces;

namespace EzioPxe.Engine.Swarm;

/// <summary>
/// How many connected peers have each piece, and the pieces the picker may start grouped by that
/// count (libtorrent's availability buckets), each bucket in random order. A "have" moves one
/// piece between two buckets in O(1), and the rarest piece a peer has is the first of the lowest
/// buckets that the peer has, instead of the best of a scan over every piece per pick.
/// Guarded by the session lock.
/// </summary>
internal sealed class AvailabilityBuckets
{
    private readonly int[] _availability;
    private readonly int[] _slot; // index within its bucket, -1 when not a candidate
    private readonly List<List<int>> _buckets = new();
    private readonly Random _random;

    public AvailabilityBuckets(int pieceCount, Random random)
    {
        _availability = new int[pieceCount];
        _slot = new int[pieceCount];
        Array.Fill(_slot, -1);
        _random = random;
    }

    /// <summary>How many candidates there are.</summary>
    public int Count { get; private set; }

    public int Availability(int piece) => _availability[piece];

    public bool Contains(int piece) => _slot[piece] >= 0;

    public void ChangeAvailability(int piece, int delta)
    {
        if (_slot[piece] < 0)
        {
            _availability[piece] += delta;
            return;
        }
        Remove(piece);
        _availability[piece] += delta;
        Add(piece);
    }

    /// <summary>Makes the piece a candidate, at a random place in its bucket (the random tie-break among equally rare pieces).</summary>
    public void Add(int piece)
    {
        if (_slot[piece] >= 0)
        {
            return;
        }
        var bucket = BucketOf(piece);
        var at = _random.Next(bucket.Count + 1);
        if (at < bucket.Count)
        {
            var moved = bucket[at];
            _slot[moved] = bucket.Count;
            bucket.Add(moved);
            bucket[at] = piece;
        }
        else
        {
            bucket.Add(piece);
        }
        _slot[piece] = at;
        Count++;
    }

    public void Remove(int piece)
    {
        var slot = _slot[piece];
        if (slot < 0)
        {
            return;
        }
        var bucket = BucketOf(piece);
        var last = bucket[^1];
        bucket[slot] = last;
        _slot[last] = slot;
        bucket.RemoveAt(bucket.Count - 1);
        _slot[piece] = -1;
        Count--;
    }

    /// <summary>The rarest candidate <paramref name="peerHave"/> includes, ties broken at random; -1 when it has none.</summary>
    public int FindRarest(BitField peerHave)
    {
        if (Count == 0)
        {
            return -1;
        }
        // A peer with few pieces among many candidates: walking the buckets would mostly meet
        // pieces it does not have, so walk its pieces instead.
        if ((long)peerHave.Count * 8 < Count)
        {
            return FindRarestOfPeer(peerHave);
        }
        // Bucket 0 holds pieces nobody has: the peer has none of them.
        for (var availability = 1; availability < _buckets.Count; availability++)
        {
            foreach (var piece in _buckets[availability])
            {
                if (peerHave[piece])
                {
                    return piece;
                }
            }
        }
        return -1;
    }

    /// <summary>Over the peer's pieces from a random start: the first of the lowest availability.</summary>
    private int FindRarestOfPeer(BitField peerHave)
    {
        var bytes = peerHave.Bytes;
        var start = _random.Next(bytes.Length);
        var best = -1;
        var bestAvailability = int.MaxValue;
        for (var n = 0; n < bytes.Length; n++)
        {
            var index = start + n < bytes.Length ? start + n : start + n - bytes.Length;
            var bits = bytes[index];
            while (bits != 0)
            {
                var bit = System.Numerics.BitOperations.LeadingZeroCount((uint)bits) - 24;
                bits = (byte)(bits & ~(0x80 >> bit));
                var piece = index * 8 + bit;
                if (_slot[piece] < 0 || _availability[piece] >= bestAvailability)
                {
                    continue;
                }
                best = piece;
                bestAvailability = _availability[piece];
                if (bestAvailability <= 1)
                {
                    return best; // nothing can be rarer than a piece only this peer has
                }
            }
        }
        return best;
    }

    private List<int> BucketOf(int piece)
    {
        var availability = Math.Max(0, _availability[piece]);
        while (_buckets.Count <= availability)
        {
            _buckets.Add(new List<int>());
        }
        return _buckets[availability];
    }
}

using EzioPxe.Engine.Storage;

namespace EzioPxe.Engine.Pieces;

/// <summary>
/// Whole pieces kept in memory to answer block requests. Peers ask for 16 KiB blocks, and in a
/// swarm many peers ask for the same freshly announced piece: one storage read of the whole piece
/// (or the piece we just downloaded, handed over after verification) serves them all.
/// </summary>
internal sealed class PieceCache
{
    private readonly IPieceStorage _storage;
    private readonly Func<int, int> _pieceSize;
    private readonly PieceBufferPool _pool;
    private readonly int _capacity;
    private readonly Dictionary<int, Entry> _entries = new();
    private readonly LinkedList<Entry> _lru = new();
    private readonly object _lock = new();

    public PieceCache(IPieceStorage storage, Func<int, int> pieceSize, PieceBufferPool pool, int capacityPieces)
    {
        _storage = storage;
        _pieceSize = pieceSize;
        _pool = pool;
        _capacity = Math.Max(1, capacityPieces);
    }

    /// <summary>Whether the piece is in memory now (it may be evicted a moment later).</summary>
    public bool Contains(int piece)
    {
        lock (_lock)
        {
            return _entries.TryGetValue(piece, out var entry) && entry.Loading.IsCompletedSuccessfully;
        }
    }

    /// <summary>Copies part of a piece into <paramref name="destination"/> if the piece is in memory; false on a miss.</summary>
    public bool TryCopy(int piece, int offset, Span<byte> destination)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(piece, out var entry) || !entry.Loading.IsCompletedSuccessfully)
            {
                return false;
            }
            _lru.Remove(entry.Node);
            _lru.AddFirst(entry.Node);
            // Under the lock: eviction returns the buffer to the pool, so it must not run meanwhile.
            entry.Buffer.AsSpan(offset, destination.Length).CopyTo(destination);
            return true;
        }
    }

    /// <summary>
    /// Lends part of a piece in memory to a send loop, which hands it to the socket as it lies
    /// (a gather list) instead of copying it into a send buffer first. Until
    /// <see cref="CachedBlock.Release"/> the piece is not evicted, so its buffer is not reused for
    /// another piece while the kernel may still read it. False on a miss.
    /// </summary>
    public bool TryLend(int piece, int offset, int length, out CachedBlock block)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(piece, out var entry) || !entry.Loading.IsCompletedSuccessfully)
            {
                block = default;
                return false;
            }
            _lru.Remove(entry.Node);
            _lru.AddFirst(entry.Node);
            // A user, as for a read in progress: Add skips it when evicting.
            entry.Users++;
            block = new CachedBlock(this, entry, entry.Buffer.AsSegment(offset, length));
            return true;
        }
    }

    /// <summary>Copies part of a piece into <paramref name="destination"/>, reading the whole piece from storage on a miss.</summary>
    public async ValueTask CopyAsync(int piece, int offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (_lock)
        {
            if (!_entries.TryGetValue(piece, out entry!))
            {
                entry = new Entry(piece, _pool.Rent());
                entry.Loading = LoadAsync(entry);
                Add(entry);
            }
            else
            {
                _lru.Remove(entry.Node);
            }
            entry.Users++;
            _lru.AddFirst(entry.Node);
        }
        try
        {
            await entry.Loading.WaitAsync(cancellationToken);
            entry.Buffer.AsMemory(offset, destination.Length).CopyTo(destination);
        }
        finally
        {
            Release(entry);
        }
    }

    /// <summary>Takes ownership of a verified piece's buffer, so the first requests for it cost no read.</summary>
    public void Insert(int piece, PieceBuffer buffer)
    {
        lock (_lock)
        {
            if (_entries.ContainsKey(piece))
            {
                _pool.Return(buffer);
                return;
            }
            var entry = new Entry(piece, buffer) { Loading = Task.CompletedTask };
            Add(entry);
            _lru.AddFirst(entry.Node);
        }
    }

    private async Task LoadAsync(Entry entry)
    {
        await Task.Yield();
        await _storage.ReadAsync(entry.Piece, 0, entry.Buffer.AsMemory(0, _pieceSize(entry.Piece)), CancellationToken.None);
    }

    private void Add(Entry entry)
    {
        _entries[entry.Piece] = entry;
        // Evict least recently used pieces that nobody is reading right now.
        var node = _lru.Last;
        while (_entries.Count > _capacity && node != null)
        {
            var previous = node.Previous;
            var victim = node.Value;
            if (victim.Users == 0 && victim.Loading.IsCompleted)
            {
                _lru.Remove(node);
                _entries.Remove(victim.Piece);
                victim.Evicted = true;
                _pool.Return(victim.Buffer);
            }
            node = previous;
        }
    }

    private void Release(Entry entry)
    {
        lock (_lock)
        {
            entry.Users--;
            if (entry.Loading.IsFaulted && entry.Users == 0 && !entry.Evicted)
            {
                // A failed read is not cached: the next request tries again.
                _lru.Remove(entry.Node);
                _entries.Remove(entry.Piece);
                entry.Evicted = true;
                _pool.Return(entry.Buffer);
            }
        }
    }

    /// <summary>
    /// A block lent by <see cref="TryLend"/>: its bytes where the cache holds them. Released exactly
    /// once, after the send that used it has completed (or failed).
    /// </summary>
    internal readonly struct CachedBlock
    {
        private readonly PieceCache? _cache;
        private readonly Entry? _entry;

        internal CachedBlock(PieceCache cache, Entry entry, ArraySegment<byte> data)
        {
            _cache = cache;
            _entry = entry;
            Data = data;
        }

        public ArraySegment<byte> Data { get; }

        public void Release()
        {
            if (_cache != null && _entry != null)
            {
                _cache.Release(_entry);
            }
        }
    }

    internal sealed class Entry
    {
        public Entry(int piece, PieceBuffer buffer)
        {
            Piece = piece;
            Buffer = buffer;
            Node = new LinkedListNode<Entry>(this);
        }

        public int Piece { get; }

        public PieceBuffer Buffer { get; }

        public LinkedListNode<Entry> Node { get; }

        public Task Loading { get; set; } = Task.CompletedTask;

        public int Users { get; set; }

        public bool Evicted { get; set; }
    }
}

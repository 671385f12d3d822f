using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Pieces;
using EzioPxe.Engine.Storage;
using EzioPxe.Engine.Tests.Swarm;
using EzioPxe.TestSupport;

namespace EzioPxe.Engine.Tests.Pieces;

/// <summary>
/// A send loop hands cached blocks to the socket as they lie (PieceCache.TryLend): the piece must
/// stay in memory, its buffer not reused for another piece, until the block is released.
/// </summary>
public class PieceCacheLendingTests
{
    private const int PieceLength = 64 * 1024;

    [Fact]
    public async Task A_lent_block_keeps_its_piece_from_eviction_until_released()
    {
        using var dir = new TempDirectory();
        var torrent = Torrent.Parse(SampleContent.Create(dir.Path, "content", new long[] { 4 * PieceLength }, PieceLength));
        await using var storage = new FileSystemStorage(torrent.Info, dir.Path, writable: false);
        var pool = new PieceBufferPool(PieceLength, retained: 8);
        var cache = new PieceCache(storage, torrent.Info.GetPieceSize, pool, capacityPieces: 1);
        var expected = new byte[PieceLength];
        await storage.ReadAsync(0, 0, expected, CancellationToken.None);

        Assert.False(cache.TryLend(0, 0, 16384, out var missing));
        missing.Release(); // a block never lent releases nothing

        // Piece 0 read into the cache from the real files, then lent.
        await cache.CopyAsync(0, 0, new byte[1], CancellationToken.None);
        Assert.True(cache.TryLend(0, 16384, 16384, out var block));
        Assert.Equal(expected.AsSpan(16384, 16384).ToArray(), block.Data.ToArray());

        // A second piece in a cache of one would evict piece 0; lent, it stays, and its memory is
        // not handed out again by the pool.
        var other = pool.Rent();
        cache.Insert(1, other);
        Assert.True(cache.Contains(0));
        var fresh = pool.Rent();
        fresh.Span.Fill(0xff);
        Assert.Equal(expected.AsSpan(16384, 16384).ToArray(), block.Data.ToArray());
        pool.Return(fresh);

        // Released, it goes at the next insert like any piece nobody uses.
        block.Release();
        cache.Insert(2, pool.Rent());
        Assert.False(cache.Contains(0));
        Assert.False(cache.TryLend(0, 0, 16384, out _));
    }
}

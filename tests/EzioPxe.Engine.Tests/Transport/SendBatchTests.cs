using System.Buffers;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Pieces;
using EzioPxe.Engine.Storage;
using EzioPxe.Engine.Tests.Swarm;
using EzioPxe.Engine.Wire;
using EzioPxe.TestSupport;

namespace EzioPxe.Engine.Tests.Transport;

/// <summary>
/// The send loop's gather list: control messages, headers and block data from where they lie
/// must add up to exactly the bytes the messages are on the wire, in order; what it borrowed goes
/// back when it is cleared.
/// </summary>
public class SendBatchTests
{
    private const int PieceLength = 64 * 1024;

    [Fact]
    public async Task The_gather_list_is_the_wire_bytes_of_the_messages_in_order_and_clearing_gives_back_the_lent_block()
    {
        using var dir = new TempDirectory();
        var torrent = Torrent.Parse(SampleContent.Create(dir.Path, "content", new long[] { 3 * PieceLength }, PieceLength));
        await using var storage = new FileSystemStorage(torrent.Info, dir.Path, writable: false);
        var pool = new PieceBufferPool(PieceLength, retained: 4);
        var cache = new PieceCache(storage, torrent.Info.GetPieceSize, pool, capacityPieces: 1);
        var piece0 = new byte[PieceLength];
        await storage.ReadAsync(0, 0, piece0, CancellationToken.None);
        await cache.CopyAsync(0, 0, new byte[1], CancellationToken.None);

        var payload = ArrayPool<byte>.Shared.Rent(100);
        new Random(7).NextBytes(payload);
        var bitfield = Enumerable.Range(0, 40_000).Select(i => (byte)i).ToArray(); // larger than a chunk
        var batch = new SendBatch();
        Outgoing.Index(MessageId.Have, 3).TryWriteControl(batch);
        PeerMessageWriter.WritePieceHeader(batch, 0, 16384, 16384);
        Assert.True(cache.TryLend(0, 16384, 16384, out var block));
        batch.AddLent(block);
        Outgoing.Bitfield(bitfield).TryWriteControl(batch);
        PeerMessageWriter.WritePieceHeader(batch, 1, 0, 100);
        batch.AddRented(payload, 100);
        Outgoing.Simple(MessageId.Unchoke).TryWriteControl(batch);

        var expected = new ArrayBufferWriter<byte>();
        PeerMessageWriter.WriteIndex(expected, MessageId.Have, 3);
        PeerMessageWriter.WritePieceHeader(expected, 0, 16384, 16384);
        expected.Write(piece0.AsSpan(16384, 16384));
        PeerMessageWriter.WriteBitfield(expected, bitfield);
        PeerMessageWriter.WritePieceHeader(expected, 1, 0, 100);
        expected.Write(payload.AsSpan(0, 100));
        PeerMessageWriter.WriteSimple(expected, MessageId.Unchoke);

        var sent = batch.Segments.SelectMany(s => s.ToArray()).ToArray();
        Assert.Equal(expected.WrittenCount, batch.Length);
        Assert.Equal(expected.WrittenSpan.ToArray(), sent);

        // Lent, piece 0 survives an insert into a cache of one; cleared, the batch lets it go.
        cache.Insert(1, pool.Rent());
        Assert.True(cache.Contains(0));
        batch.Clear();
        Assert.Equal(0, batch.Length);
        Assert.Empty(batch.Segments);
        cache.Insert(2, pool.Rent());
        Assert.False(cache.Contains(0));
    }
}

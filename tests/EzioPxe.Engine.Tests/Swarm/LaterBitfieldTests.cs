using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Storage;
using EzioPxe.Engine.Swarm;
using EzioPxe.Engine.Wire;
using EzioPxe.TestSupport;

namespace EzioPxe.Engine.Tests.Swarm;

/// <summary>
/// A bitfield in the middle of a connection (aria2 sends one when it is shorter than the "have"
/// messages it replaces) replaces what we knew of the peer.
/// </summary>
public class LaterBitfieldTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_leecher_downloads_from_a_peer_that_says_later_it_now_has_everything(bool fast)
    {
        using var dir = new TempDirectory();
        var torrent = Torrent.Parse(SampleContent.Create(dir.Path, "content", new long[] { 300_001, 5 }, 16 * 1024));
        await using var source = new FileSystemStorage(torrent.Info, dir.Path, writable: false);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var target = dir.File("leecher");
        await using var storage = new FileSystemStorage(torrent.Info, target);
        var log = new CollectingLogger();
        await using var leecher = new TorrentSession(torrent, storage, new SessionOptions { ExistingData = ExistingData.None }, log);
        await leecher.StartAsync();
        leecher.AddPeer((IPEndPoint)listener.LocalEndpoint);

        using var peer = RawPeer.Accepted(await listener.AcceptSocketAsync().WaitAsync(TimeSpan.FromSeconds(10)));
        await peer.ReceiveHandshakeAsync();
        await peer.SendHandshakeAsync(torrent.InfoHash, fast);
        var count = torrent.Info.PieceCount;
        if (fast)
        {
            // aria2 with the Fast extension: have-none to open, have-all once it completes.
            await peer.SendAsync(MessageId.HaveNone);
            await peer.SendAsync(MessageId.HaveAll);
        }
        else
        {
            // First only piece 0; then, as aria2 does instead of "have" messages, a bitfield of everything.
            var first = new byte[(count + 7) / 8];
            first[0] = 0x80;
            await peer.SendBitfieldAsync(first);
            await peer.SendBitfieldAsync(FullBitfield(count));
        }
        await peer.SendAsync(MessageId.Unchoke);

        var requested = new HashSet<int>();
        var serving = Task.Run(async () =>
        {
            while (true)
            {
                var (id, payload) = await peer.ReceiveAsync();
                if (id != MessageId.Request)
                {
                    continue;
                }
                var piece = BinaryPrimitives.ReadInt32BigEndian(payload);
                var offset = BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(4));
                var data = new byte[BinaryPrimitives.ReadInt32BigEndian(payload.AsSpan(8))];
                await source.ReadAsync(piece, offset, data, CancellationToken.None);
                lock (requested)
                {
                    requested.Add(piece);
                }
                await peer.SendBlockAsync(piece, offset, data);
            }
        });
        await Task.WhenAny(leecher.Completion, serving).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(leecher.Completion.IsCompletedSuccessfully, $"the peer went away: {serving.Exception?.InnerException?.Message}\nthe leecher said:\n{log}");
        Assert.Equal(count, requested.Count);
        SampleContent.AssertSameTree(Path.Combine(dir.Path, "content"), Path.Combine(target, "content"));
    }

    [Fact]
    public async Task A_later_bitfield_of_the_wrong_size_still_drops_the_peer()
    {
        using var dir = new TempDirectory();
        var torrent = Torrent.Parse(SampleContent.Create(dir.Path, "content", new long[] { 300_001 }, 16 * 1024));
        await using var seeder = await OwnSeeder.StartAsync(torrent, dir.Path);
        using var peer = await RawPeer.ConnectAsync(seeder.EndPoint, torrent.InfoHash, fast: false);
        await peer.ReceiveHandshakeAsync();
        await peer.SendBitfieldAsync(new byte[(torrent.Info.PieceCount + 7) / 8]);
        Assert.False(await peer.IsClosedByRemoteAsync(TimeSpan.FromMilliseconds(500)), "a valid first bitfield was refused");
        await peer.SendBitfieldAsync(new byte[(torrent.Info.PieceCount + 7) / 8 + 1]);
        Assert.True(await peer.IsClosedByRemoteAsync(TimeSpan.FromSeconds(10)), "an oversized later bitfield was accepted");
    }

    private static byte[] FullBitfield(int count)
    {
        var bits = new byte[(count + 7) / 8];
        for (var i = 0; i < count; i++)
        {
            bits[i >> 3] |= (byte)(0x80 >> (i & 7));
        }
        return bits;
    }
}

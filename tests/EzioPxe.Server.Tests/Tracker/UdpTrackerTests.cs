using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EzioPxe.Server.Tests.Http;
using EzioPxe.Server.Tracker;

namespace EzioPxe.Server.Tests.Tracker;

/// <summary>The BEP 15 UDP tracker with raw datagrams over loopback.</summary>
[Collection(ServerCollection.Name)]
public sealed class UdpTrackerTests(ServerFixture fixture) : IDisposable
{
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));

    public void Dispose() => _udp.Dispose();

    private IPEndPoint Tracker => new(IPAddress.Loopback, (int)fixture.Server.Settings.Tracker.UdpPort);

    private async Task<byte[]> Exchange(byte[] request)
    {
        await _udp.SendAsync(request, Tracker);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        return (await _udp.ReceiveAsync(timeout.Token)).Buffer;
    }

    private static byte[] Header(long connectionId, int action, int transaction, int length)
    {
        var packet = new byte[length];
        BinaryPrimitives.WriteInt64BigEndian(packet, connectionId);
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(8), action);
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(12), transaction);
        return packet;
    }

    private async Task<long> Connect()
    {
        var reply = await Exchange(Header(UdpTrackerPacket.ProtocolId, 0, 77, 16));
        Assert.Equal(16, reply.Length);
        Assert.Equal((0, 77), (BinaryPrimitives.ReadInt32BigEndian(reply), BinaryPrimitives.ReadInt32BigEndian(reply.AsSpan(4))));
        return BinaryPrimitives.ReadInt64BigEndian(reply.AsSpan(8));
    }

    private static byte[] Announce(long connection, byte[] infoHash, int peer, ushort port, long left, int trackerEvent = 2, int numWant = -1)
    {
        var packet = Header(connection, 1, 1000 + peer, 98);
        infoHash.CopyTo(packet, 16);
        TrackerClient.PeerId(peer).CopyTo(packet, 36);
        BinaryPrimitives.WriteInt64BigEndian(packet.AsSpan(64), left);
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(80), trackerEvent);
        BinaryPrimitives.WriteInt32BigEndian(packet.AsSpan(92), numWant);
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(96), port);
        return packet;
    }

    [Fact]
    public async Task Connect_then_announce_returns_peers_and_the_origin_without_the_requester()
    {
        var connection = await Connect();
        var infoHash = fixture.Torrent.InfoHash.Span.ToArray();
        await Exchange(Announce(connection, infoHash, 701, 47001, left: 100));
        var reply = await Exchange(Announce(connection, infoHash, 702, 47002, left: 100));
        Assert.Equal((1, 1702), (BinaryPrimitives.ReadInt32BigEndian(reply), BinaryPrimitives.ReadInt32BigEndian(reply.AsSpan(4))));
        Assert.Equal(20, BinaryPrimitives.ReadInt32BigEndian(reply.AsSpan(8))); // interval
        var peers = new List<int>();
        for (var i = 20; i < reply.Length; i += 6)
        {
            Assert.Equal(new byte[] { 127, 0, 0, 1 }, reply[i..(i + 4)]);
            peers.Add(BinaryPrimitives.ReadUInt16BigEndian(reply.AsSpan(i + 4)));
        }
        Assert.Contains(47001, peers);
        Assert.Contains(fixture.Server.PeerPort, peers);
        Assert.DoesNotContain(47002, peers);

        var scrape = Header(connection, 2, 5, 16 + 40);
        infoHash.CopyTo(scrape, 16);
        var scraped = await Exchange(scrape);
        Assert.Equal(8 + 24, scraped.Length);
        Assert.True(BinaryPrimitives.ReadInt32BigEndian(scraped.AsSpan(8)) >= 1); // seeders: the origin at least
        Assert.Equal(0, BinaryPrimitives.ReadInt32BigEndian(scraped.AsSpan(20))); // the unknown (zero) hash: empty
    }

    [Fact]
    public async Task Forged_connection_ids_unknown_torrents_and_short_packets_get_errors()
    {
        var infoHash = fixture.Torrent.InfoHash.Span.ToArray();
        var forged = await Exchange(Announce(0x1234, infoHash, 801, 48001, left: 1));
        Assert.Equal(3, BinaryPrimitives.ReadInt32BigEndian(forged));
        Assert.Contains("connection id", Encoding.UTF8.GetString(forged, 8, forged.Length - 8), StringComparison.Ordinal);

        var connection = await Connect();
        var unknown = await Exchange(Announce(connection, new byte[20], 802, 48002, left: 1));
        Assert.Equal(3, BinaryPrimitives.ReadInt32BigEndian(unknown));
        Assert.Contains("unknown torrent", Encoding.UTF8.GetString(unknown, 8, unknown.Length - 8), StringComparison.Ordinal);

        var truncated = await Exchange(Announce(connection, infoHash, 803, 48003, left: 1)[..60]);
        Assert.Contains("announce of 60 bytes", Encoding.UTF8.GetString(truncated, 8, truncated.Length - 8), StringComparison.Ordinal);

        // Too short to hold a transaction id: no answer at all, and the tracker still answers the next one.
        await _udp.SendAsync(new byte[5], Tracker);
        Assert.Equal(16, (await Exchange(Header(UdpTrackerPacket.ProtocolId, 0, 1, 16))).Length);
    }
}

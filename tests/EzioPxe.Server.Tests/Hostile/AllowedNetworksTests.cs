using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using EzioPxe.Server.Tests.Http;
using EzioPxe.Server.Tests.NetBoot;
using EzioPxe.Server.Tests.Seeding;
using EzioPxe.Server.Tracker;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.Hostile;

/// <summary>
/// Server:AllowedNetworks = 127.0.0.1/32: the deployment network is 127.0.0.1, a host at 127.0.0.2
/// is outside it. HTTP, the UDP tracker, TFTP and the seeder answer the one and not the other.
/// </summary>
public sealed class AllowedNetworksTests : IAsyncLifetime
{
    private static readonly IPAddress Outsider = IPAddress.Parse("127.0.0.2");
    private readonly TempDirectory _temp = new("allowed");
    private RunningServer _server = null!;
    private int _tftpPort;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_temp.File("boot"));
        Directory.CreateDirectory(_temp.File("tftp"));
        await File.WriteAllTextAsync(_temp.File("tftp/undionly.kpxe"), "loader");
        _tftpPort = FreePort.Udp();
        var config = RunningServer.Config(_temp.File("data"), TestImage.Create(_temp.File("lab.img"), seed: 6), c =>
        {
            c["Server"]!["AllowedNetworks"] = new JsonArray("127.0.0.1/32");
            c["Server"]!["BootDirectory"] = _temp.File("boot");
            c["Tracker"] = new JsonObject { ["UdpPort"] = FreePort.Udp() };
            c["NetBoot"] = new JsonObject { ["TftpRoot"] = _temp.File("tftp"), ["TftpPort"] = _tftpPort };
        });
        _server = await RunningServer.StartAsync(config, _temp.Path);
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _temp.Dispose();
    }

    [Fact]
    public async Task Http_and_the_http_tracker_refuse_hosts_outside()
    {
        using var outsider = SourceBoundHttp.Create(_server.BaseUrl, Outsider);
        using var refused = await outsider.GetAsync("jobs/lab");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("Server:AllowedNetworks", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var announce = await outsider.GetAsync("announce?info_hash=x");
        Assert.Equal(HttpStatusCode.Forbidden, announce.StatusCode);
        using var inside = await _server.Http.GetAsync("jobs/lab");
        Assert.Equal(HttpStatusCode.OK, inside.StatusCode);
    }

    [Fact]
    public async Task The_udp_tracker_and_tftp_stay_silent_to_hosts_outside()
    {
        var udpTracker = new IPEndPoint(IPAddress.Loopback, (int)_server.Settings.Tracker.UdpPort);
        var connect = new byte[16];
        BinaryPrimitives.WriteInt64BigEndian(connect, UdpTrackerPacket.ProtocolId);
        using (var outside = new UdpClient(new IPEndPoint(Outsider, 0)))
        using (var inside = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
        {
            await outside.SendAsync(connect, udpTracker);
            await inside.SendAsync(connect, udpTracker);
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            Assert.Equal(16, (await inside.ReceiveAsync(wait.Token)).Buffer.Length);
            // The inside answer came; the outside one, asked first, never does.
            using var silence = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await outside.ReceiveAsync(silence.Token));
        }

        using var outsideTftp = new TftpTestClient(new IPEndPoint(IPAddress.Loopback, _tftpPort), Outsider);
        outsideTftp.SendRaw(TftpTestClient.ReadRequest("undionly.kpxe"));
        using var insideTftp = new TftpTestClient(new IPEndPoint(IPAddress.Loopback, _tftpPort));
        Assert.Equal("loader"u8.ToArray(), insideTftp.Get("undionly.kpxe").Data);
        Assert.Null(outsideTftp.Receive(timeoutMs: 1000));
    }

    [Fact]
    public async Task The_seeder_closes_connections_from_hosts_outside_at_once()
    {
        using var outside = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        outside.Bind(new IPEndPoint(Outsider, 0));
        await outside.ConnectAsync(IPAddress.Loopback, _server.PeerPort);
        var buffer = new byte[1];
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        // Closed before any handshake: the read ends (0 bytes, or a reset).
        try
        {
            Assert.Equal(0, await outside.ReceiveAsync(buffer, SocketFlags.None, wait.Token));
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }
        Assert.False(wait.IsCancellationRequested);
    }
}

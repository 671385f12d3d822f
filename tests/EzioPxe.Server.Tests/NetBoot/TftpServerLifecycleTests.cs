using System.Diagnostics;
using System.Net;
using EzioPxe.Server.NetBoot.Tftp;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.NetBoot;

public sealed class TftpServerLifecycleTests
{
    [Fact]
    public async Task Stopping_ends_transfers_whose_client_went_silent()
    {
        using var directory = new TempDirectory();
        File.WriteAllBytes(directory.File("file.bin"), new byte[100_000]);
        var server = new TftpServer(new TftpServerOptions { Root = directory.Path, ListenAddress = IPAddress.Loopback, Port = 0, RetransmitTimeout = TimeSpan.FromSeconds(30) });
        await server.StartAsync();
        using var client = new TftpTestClient(server.LocalEndPoint);
        client.SendRaw(TftpTestClient.ReadRequest("file.bin"));
        Assert.NotNull(client.Receive());       // block 1 arrives; we never acknowledge it
        Assert.Equal(1, server.ActiveTransfers);

        var stopwatch = Stopwatch.StartNew();
        await server.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"stop took {stopwatch.Elapsed}");
        Assert.Equal(0, server.ActiveTransfers);
    }

    [Fact]
    public async Task A_port_in_use_and_a_missing_root_are_clear_errors()
    {
        using var directory = new TempDirectory();
        await using var first = new TftpServer(new TftpServerOptions { Root = directory.Path, ListenAddress = IPAddress.Loopback, Port = 0 });
        await first.StartAsync();
        await using var second = new TftpServer(new TftpServerOptions { Root = directory.Path, ListenAddress = IPAddress.Loopback, Port = first.LocalEndPoint.Port });
        var busy = await Assert.ThrowsAsync<InvalidOperationException>(() => second.StartAsync());
        Assert.Contains($"127.0.0.1:{first.LocalEndPoint.Port}", busy.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<DirectoryNotFoundException>(() => new TftpServer(new TftpServerOptions { Root = directory.File("nope") }));
        Assert.Contains("nope", missing.Message, StringComparison.Ordinal);
    }
}

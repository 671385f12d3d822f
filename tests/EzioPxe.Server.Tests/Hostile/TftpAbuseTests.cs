using System.Buffers.Binary;
using System.Net;
using System.Text;
using EzioPxe.Server.NetBoot.Tftp;
using EzioPxe.Server.Tests.NetBoot;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.Hostile;

/// <summary>
/// Hosts on the LAN (127.0.0.2 and up) asking for TFTP transfers they never acknowledge, with the
/// longest timeout the RFC allows, and for big netascii files; a booting machine (127.0.0.1) must
/// still get its loader, and the server must stay small. Real UDP sockets against the real server.
/// </summary>
[Collection(AllocationMeasuringCollection.Name)]
public sealed class TftpAbuseTests : IAsyncLifetime
{
    private readonly TempDirectory _directory = new("tftp-abuse");
    private readonly byte[] _loader = new byte[200_000];
    private TftpServer _server = null!;

    public async Task InitializeAsync()
    {
        var root = _directory.File("root");
        Directory.CreateDirectory(root);
        new Random(5).NextBytes(_loader);
        await File.WriteAllBytesAsync(Path.Combine(root, "undionly.kpxe"), _loader);
        // 4 MiB of text lines: what a netascii flood would ask for.
        var line = Encoding.ASCII.GetBytes("DEFAULT linux\r\nLABEL linux\n  KERNEL vmlinuz\n");
        await using (var text = File.Create(Path.Combine(root, "big.cfg")))
        {
            for (var i = 0; i < 4 * 1024 * 1024 / line.Length; i++)
            {
                text.Write(line);
            }
        }
        // Production settings (1 s retransmit timeout, 5 retransmissions), on loopback.
        _server = new TftpServer(new TftpServerOptions { Root = root, ListenAddress = IPAddress.Loopback, Port = 0 });
        await _server.StartAsync();
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        _directory.Dispose();
    }

    private static IPAddress Host(int n) => IPAddress.Parse($"127.0.0.{n}");

    private static (ushort Opcode, string Text) Decode(byte[] packet) =>
        (BinaryPrimitives.ReadUInt16BigEndian(packet), Encoding.ASCII.GetString(packet, 2, packet.Length - 2));

    [Fact]
    public async Task Unacknowledged_requests_with_timeout_255_are_capped_per_host_and_freed_within_seconds()
    {
        var clients = new List<TftpTestClient>();
        try
        {
            var answers = new List<(ushort Opcode, string Text)>();
            for (var i = 0; i < 10; i++)
            {
                var client = new TftpTestClient(_server.LocalEndPoint, Host(2));
                clients.Add(client);
                client.SendRaw(TftpTestClient.ReadRequest("undionly.kpxe", "octet", ("timeout", "255"), ("tsize", "0")));
                answers.Add(Decode(client.Receive()!.Value.Packet));
            }
            // Four transfers for that host (OACK without the 255 s timeout), refusals after that.
            var accepted = answers.Where(a => a.Opcode == 6).ToList();
            Assert.Equal(4, accepted.Count);
            Assert.All(accepted, a => Assert.DoesNotContain("timeout", a.Text, StringComparison.Ordinal));
            Assert.All(answers.Where(a => a.Opcode != 6), a => Assert.Contains("too many transfers from 127.0.0.2", a.Text, StringComparison.Ordinal));
            Assert.Equal(4, _server.ActiveTransfers);

            // A booting machine elsewhere is served meanwhile.
            using (var machine = new TftpTestClient(_server.LocalEndPoint))
            {
                Assert.Equal(_loader, machine.Get("undionly.kpxe", blockSize: 1468).Data);
            }

            // Never acknowledged: 1 s and two resends each, so the slots are free within seconds, not 25 minutes.
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (_server.ActiveTransfers > 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            Assert.Equal(0, _server.ActiveTransfers);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task A_timeout_within_the_cap_is_accepted_and_a_transfer_that_got_going_keeps_its_full_retries()
    {
        using var client = new TftpTestClient(_server.LocalEndPoint);
        var result = client.Get("undionly.kpxe", blockSize: 1024, timeoutSeconds: 2, dropAckOfBlock: 3);
        Assert.Equal("2", result.OptionAck["timeout"]);
        Assert.Equal(_loader, result.Data);
        Assert.True(result.Retransmissions > 0);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task Stalled_netascii_transfers_of_a_big_text_do_not_hold_the_converted_file_each()
    {
        var clients = new List<TftpTestClient>();
        try
        {
            GC.Collect();
            var before = GC.GetTotalAllocatedBytes(precise: true);
            // 20 stalled netascii transfers of 4 MiB: converted whole, that would be more than 80 MB.
            for (var host = 2; host < 7; host++)
            {
                for (var i = 0; i < 4; i++)
                {
                    var client = new TftpTestClient(_server.LocalEndPoint, Host(host));
                    clients.Add(client);
                    client.SendRaw(TftpTestClient.ReadRequest("big.cfg", "netascii", ("tsize", "0")));
                    Assert.Equal(6, Decode(client.Receive()!.Value.Packet).Opcode);
                }
            }
            Assert.Equal(20, _server.ActiveTransfers);
            var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
            Assert.True(allocated < 16L * 1024 * 1024, $"{allocated} bytes allocated for 20 netascii transfers");
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }

        // And the conversion is right, end to end, with a resent window.
        using var reader = new TftpTestClient(_server.LocalEndPoint, Host(9));
        var text = reader.Get("big.cfg", blockSize: 1428, windowSize: 8, dropAckOfBlock: 16, mode: "netascii").Data;
        var raw = await File.ReadAllBytesAsync(Path.Combine(_directory.File("root"), "big.cfg"));
        var expected = Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(raw).Replace("\r", "\r\0", StringComparison.Ordinal).Replace("\n", "\r\n", StringComparison.Ordinal));
        Assert.Equal(expected.Length, text.Length);
        Assert.True(expected.AsSpan().SequenceEqual(text), "netascii bytes differ");
    }
}

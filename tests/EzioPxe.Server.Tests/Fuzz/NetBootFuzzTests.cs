using EzioPxe.Server.NetBoot.Dhcp;
using EzioPxe.Server.NetBoot.Tftp;
using EzioPxe.Server.Tests.NetBoot;
using EzioPxe.TestSupport.Fuzzing;

namespace EzioPxe.Server.Tests.Fuzz;

/// <summary>
/// Mutated TFTP requests into the parser and the negotiation, and into a real TFTP server over
/// UDP (which must still serve a file afterwards); mutated DHCP messages into the parser. Only the
/// documented outcomes: null with a reason, never an exception.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class NetBootFuzzTests(TftpServerFixture tftp) : IClassFixture<TftpServerFixture>
{
    private static readonly TftpServerOptions Limits = new() { Root = "/nonexistent" };

    [Fact]
    public void Mutated_tftp_requests_parse_or_are_refused_with_a_reason_and_negotiate_within_limits()
    {
        var seeds = new[]
        {
            TftpTestClient.ReadRequest("pxelinux.0", "octet", ("blksize", "1468"), ("tsize", "0"), ("windowsize", "16"), ("timeout", "3")),
            TftpTestClient.ReadRequest("pxelinux.cfg/01-52-54-00-12-34-56", "netascii"),
            TftpTestClient.ReadRequest("../../etc/passwd", "octet", ("timeout", "255")),
        };
        var seed = FuzzBudget.Seed(1403);
        var mutator = new Mutator(seed);
        var (parsed, refused) = (0, 0);
        var iterations = FuzzBudget.Iterations(20_000);
        for (var i = 0; i < iterations; i++)
        {
            var packet = mutator.Mutate(seeds[i % seeds.Length]);
            try
            {
                var request = TftpReadRequest.TryParse(packet, out var error);
                if (request == null)
                {
                    Assert.False(string.IsNullOrEmpty(error));
                    refused++;
                    continue;
                }
                parsed++;
                _ = TftpRoot.NormalizeRequestPath(request.FileName);
                var negotiation = TftpNegotiation.Negotiate(request.Options, 1 << 20, Limits);
                Assert.InRange(negotiation.BlockSize, TftpNegotiation.MinBlockSize, Limits.MaxBlockSize);
                Assert.InRange(negotiation.WindowSize, 1, Limits.MaxWindowSize);
                Assert.InRange(negotiation.Timeout, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(Limits.MaxTimeoutSeconds));
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"seed {seed}, input {i}: {Mutator.Show(packet)} threw {e}");
            }
        }
        Assert.True(parsed > iterations / 10, $"only {parsed} of {iterations} mutants parsed (seed {seed})");
        Assert.True(refused > iterations / 10, $"only {refused} of {iterations} mutants refused (seed {seed})");
    }

    [Fact]
    public void A_real_tftp_server_takes_mutated_requests_and_still_serves()
    {
        var seed = FuzzBudget.Seed(1404);
        var mutator = new Mutator(seed);
        var request = TftpTestClient.ReadRequest("sub/hello.txt", "octet", ("blksize", "1468"), ("tsize", "0"));
        var answered = 0;
        for (var i = 0; i < FuzzBudget.Iterations(300); i++)
        {
            using var client = new TftpTestClient(tftp.EndPoint);
            client.SendRaw(mutator.Mutate(request));
            if (client.Receive(timeoutMs: 200) != null)
            {
                answered++;
            }
        }
        Assert.True(answered > 30, $"only {answered} mutants answered (seed {seed})");
        // Mutants that started a transfer and never acknowledge hold this address's slots
        // (MaxTransfersPerClient) until given up: seconds, as for any host.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (tftp.Server.ActiveTransfers > 0 && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(100);
        }
        using var machine = new TftpTestClient(tftp.EndPoint);
        Assert.Equal("hello\nworld\n"u8.ToArray(), machine.Get("sub/hello.txt").Data);
    }

    [Fact]
    public void Mutated_dhcp_messages_parse_or_are_dropped_with_a_reason()
    {
        var seeds = new[]
        {
            new DhcpTestPacket(DhcpMessageType.Discover).Pxe(0).ToBytes(),
            new DhcpTestPacket(DhcpMessageType.Request).Pxe(7, ipxe: true).Option(DhcpOptionCode.RequestedAddress, 10, 66, 0, 100).ToBytes(),
            new DhcpTestPacket(DhcpMessageType.Inform, "02-00-00-00-00-09").ToBytes(),
        };
        var seed = FuzzBudget.Seed(1405);
        var mutator = new Mutator(seed);
        var (parsed, dropped) = (0, 0);
        var iterations = FuzzBudget.Iterations(20_000);
        for (var i = 0; i < iterations; i++)
        {
            var packet = mutator.Mutate(seeds[i % seeds.Length], maxMutations: 4);
            try
            {
                if (DhcpMessage.TryParse(packet, out var error) is null)
                {
                    Assert.False(string.IsNullOrEmpty(error));
                    dropped++;
                }
                else
                {
                    parsed++;
                }
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"seed {seed}, input {i}: {Mutator.Show(packet)} threw {e}");
            }
        }
        Assert.True(parsed > iterations / 10, $"only {parsed} of {iterations} mutants parsed (seed {seed})");
        Assert.True(dropped > iterations / 20, $"only {dropped} of {iterations} mutants dropped (seed {seed})");
    }
}

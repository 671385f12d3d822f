using System.Net;
using EzioPxe.Server.NetBoot;
using EzioPxe.Server.NetBoot.Dhcp;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.NetBoot;

public sealed class DhcpResponderTests
{
    private static readonly IPAddress Server = IPAddress.Parse("10.66.0.1");
    private static readonly IPEndPoint FromNowhere = new(IPAddress.Any, 68);
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private static readonly ConfiguredBootPlanProvider Plans = new(
        new BootLoaderOptions { Bios = "undionly.kpxe", EfiX64 = "snponly.efi", IpxeScriptUrl = "http://10.66.0.1:8080/boot/ipxe/{mac}.ipxe" },
        mac => "console=ttyS0 ezio.job=lab");

    private static DhcpResponder Proxy() => new(new DhcpServerOptions { Mode = DhcpMode.Proxy, ServerAddress = Server }, Plans);

    private static DhcpResponder Full(string? leaseFile = null) => new(new DhcpServerOptions
    {
        Mode = DhcpMode.Full, ServerAddress = Server,
        RangeStart = IPAddress.Parse("10.66.0.100"), RangeEnd = IPAddress.Parse("10.66.0.102"),
        Router = Server, LeaseFile = leaseFile,
    }, Plans);

    private static string BootFile(DhcpMessage reply) => reply.GetTextOption(DhcpOptionCode.BootFileName)!;

    [Theory]
    [InlineData((ushort)0, false, "undionly.kpxe")]
    [InlineData((ushort)7, false, "snponly.efi")]
    [InlineData((ushort)9, false, "snponly.efi")]
    [InlineData((ushort)0, true, "http://10.66.0.1:8080/boot/ipxe/52-54-00-12-34-56.ipxe")]
    [InlineData((ushort)7, true, "http://10.66.0.1:8080/boot/ipxe/52-54-00-12-34-56.ipxe")]
    public void Proxy_offers_the_boot_file_for_the_client_architecture_without_an_address(ushort architecture, bool ipxe, string expected)
    {
        var reply = Proxy().Respond(new DhcpTestPacket(DhcpMessageType.Discover).Pxe(architecture, ipxe).Parse(), FromNowhere, false, Now)!;
        var offer = reply.Parse();
        Assert.Equal(DhcpMessageType.Offer, offer.MessageType);
        Assert.Equal(expected, BootFile(offer));
        Assert.Equal(IPAddress.Any, new IPAddress(offer.Raw.Slice(16, 4)));          // yiaddr: no address from a proxy
        Assert.Equal(Server, new IPAddress(offer.Raw.Slice(20, 4)));                 // siaddr: TFTP next-server
        Assert.Equal("PXEClient", offer.GetTextOption(DhcpOptionCode.VendorClass));
        Assert.Equal(Server, offer.GetAddressOption(DhcpOptionCode.ServerIdentifier));
        Assert.True(offer.TryGetOption(DhcpOptionCode.ClientMachineId, out var guid) && guid.Length == 17);
        Assert.Equal(0x1234abcdu, offer.TransactionId);
        Assert.Equal(new IPEndPoint(IPAddress.Broadcast, 68), reply.Destination);
        Assert.True(reply.Packet.Length >= 300);
    }

    [Fact]
    public void Proxy_ignores_clients_that_are_not_pxe_and_never_acknowledges_addresses_on_port_67()
    {
        var responder = Proxy();
        Assert.Null(responder.Respond(new DhcpTestPacket(DhcpMessageType.Discover).Parse(), FromNowhere, false, Now));
        Assert.Null(responder.Respond(new DhcpTestPacket(DhcpMessageType.Request).Pxe(0).Parse(), FromNowhere, false, Now));
    }

    [Fact]
    public void Proxy_answers_a_boot_server_request_on_port_4011_by_unicast_to_the_sender()
    {
        var client = new IPEndPoint(IPAddress.Parse("10.66.0.57"), 68);
        var request = new DhcpTestPacket(DhcpMessageType.Request) { ClientAddress = client.Address, Broadcast = false }.Pxe(7);
        var reply = Proxy().Respond(request.Parse(), client, onPxePort: true, Now)!;
        var ack = reply.Parse();
        Assert.Equal(DhcpMessageType.Ack, ack.MessageType);
        Assert.Equal("snponly.efi", BootFile(ack));
        Assert.Equal(client, reply.Destination);
        Assert.Equal(client.Address, ack.ClientAddress);
    }

    [Fact]
    public void Unknown_architectures_and_unplanned_machines_get_no_answer()
    {
        Assert.Null(Proxy().Respond(new DhcpTestPacket(DhcpMessageType.Discover).Pxe(11).Parse(), FromNowhere, false, Now));
        var nobody = new DhcpResponder(new DhcpServerOptions { ServerAddress = Server },
            new ConfiguredBootPlanProvider(new BootLoaderOptions { Bios = "pxelinux.0", EfiX64 = "grubnetx64.efi" }, _ => null));
        Assert.Null(nobody.Respond(new DhcpTestPacket(DhcpMessageType.Discover).Pxe(0).Parse(), FromNowhere, false, Now));
    }

    [Fact]
    public void Full_mode_offers_then_acknowledges_an_address_from_the_range_with_boot_info()
    {
        var responder = Full();
        var offer = responder.Respond(new DhcpTestPacket(DhcpMessageType.Discover).Pxe(0).Parse(), FromNowhere, false, Now)!.Parse();
        Assert.Equal(DhcpMessageType.Offer, offer.MessageType);
        var offered = new IPAddress(offer.Raw.Slice(16, 4));
        Assert.Equal(IPAddress.Parse("10.66.0.100"), offered);
        Assert.Equal("undionly.kpxe", BootFile(offer));
        Assert.Null(offer.GetTextOption(DhcpOptionCode.VendorClass));  // BOOTP-style: boot straight from the file name
        Assert.Equal(IPAddress.Parse("255.255.255.0"), offer.GetAddressOption(DhcpOptionCode.SubnetMask));
        Assert.Equal(Server, offer.GetAddressOption(DhcpOptionCode.Router));

        var request = new DhcpTestPacket(DhcpMessageType.Request).Pxe(0)
            .Option(DhcpOptionCode.RequestedAddress, offered.GetAddressBytes())
            .Option(DhcpOptionCode.ServerIdentifier, Server.GetAddressBytes());
        var ack = responder.Respond(request.Parse(), FromNowhere, false, Now)!.Parse();
        Assert.Equal(DhcpMessageType.Ack, ack.MessageType);
        Assert.Equal(offered, new IPAddress(ack.Raw.Slice(16, 4)));
        Assert.True(ack.TryGetOption(DhcpOptionCode.LeaseTime, out var lease) && lease.SequenceEqual(new byte[] { 0, 0, 0x0e, 0x10 }));
        Assert.Single(responder.Leases!.Snapshot(), l => l.Committed && l.Address.Equals(offered));
    }

    [Fact]
    public void Full_mode_naks_an_address_that_belongs_to_another_machine_and_stays_silent_for_another_servers_offer()
    {
        var responder = Full();
        Assert.True(responder.Leases!.Commit(new DhcpTestPacket(DhcpMessageType.Request, "02-00-00-00-00-01").Mac, IPAddress.Parse("10.66.0.101"), TimeSpan.FromHours(1), Now));
        var stealing = new DhcpTestPacket(DhcpMessageType.Request).Option(DhcpOptionCode.RequestedAddress, 10, 66, 0, 101);
        Assert.Equal(DhcpMessageType.Nak, responder.Respond(stealing.Parse(), FromNowhere, false, Now)!.Parse().MessageType);
        var elsewhere = new DhcpTestPacket(DhcpMessageType.Request)
            .Option(DhcpOptionCode.RequestedAddress, 192, 168, 1, 5).Option(DhcpOptionCode.ServerIdentifier, 192, 168, 1, 1);
        Assert.Null(responder.Respond(elsewhere.Parse(), FromNowhere, false, Now));
    }

    [Fact]
    public void Full_mode_stops_offering_when_the_pool_is_exhausted()
    {
        var responder = Full();
        for (var i = 1; i <= 3; i++)
        {
            Assert.NotNull(responder.Respond(new DhcpTestPacket(DhcpMessageType.Discover, $"02-00-00-00-00-0{i}").Parse(), FromNowhere, false, Now));
        }
        Assert.Null(responder.Respond(new DhcpTestPacket(DhcpMessageType.Discover, "02-00-00-00-00-09").Parse(), FromNowhere, false, Now));
        // Offers not taken up expire and the addresses come back.
        Assert.NotNull(responder.Respond(new DhcpTestPacket(DhcpMessageType.Discover, "02-00-00-00-00-09").Parse(), FromNowhere, false, Now + TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void Leases_survive_a_restart_through_the_lease_file()
    {
        using var directory = new TempDirectory();
        var file = directory.File("leases");
        var mac = new DhcpTestPacket(DhcpMessageType.Discover, "02-aa-bb-cc-dd-ee").Mac;
        Assert.True(new DhcpLeaseStore(IPAddress.Parse("10.66.0.100"), IPAddress.Parse("10.66.0.102"), file).Commit(mac, IPAddress.Parse("10.66.0.102"), TimeSpan.FromHours(1), Now));
        var restarted = Full(file);
        var offer = restarted.Respond(new DhcpTestPacket(DhcpMessageType.Discover, "02-aa-bb-cc-dd-ee").Parse(), FromNowhere, false, Now)!.Parse();
        Assert.Equal(IPAddress.Parse("10.66.0.102"), new IPAddress(offer.Raw.Slice(16, 4)));
        Assert.Contains("02-aa-bb-cc-dd-ee 10.66.0.102 ", File.ReadAllText(file), StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_lease_file_is_reported_with_its_line()
    {
        using var directory = new TempDirectory();
        var file = directory.File("leases");
        File.WriteAllText(file, "# header\nnot a lease\n");
        var error = Assert.Throws<FormatException>(() => Full(file));
        Assert.Contains("leases:2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_configurations_are_refused_with_a_clear_message()
    {
        var backwards = Assert.Throws<ArgumentException>(() => new DhcpServerOptions
        {
            Mode = DhcpMode.Full, ServerAddress = Server, RangeStart = IPAddress.Parse("10.66.0.9"), RangeEnd = IPAddress.Parse("10.66.0.1"),
        }.Validate());
        Assert.Contains("backwards", backwards.Message, StringComparison.Ordinal);
        var elsewhere = Assert.Throws<ArgumentException>(() => new DhcpServerOptions
        {
            Mode = DhcpMode.Full, ServerAddress = Server, RangeStart = IPAddress.Parse("10.9.0.1"), RangeEnd = IPAddress.Parse("10.9.0.9"),
        }.Validate());
        Assert.Contains("subnet", elsewhere.Message, StringComparison.Ordinal);
        var loop = Assert.Throws<ArgumentException>(() => new BootLoaderOptions { Bios = "undionly.kpxe" }.Validate());
        Assert.Contains("forever", loop.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    [InlineData(239)]
    public void Truncated_messages_are_dropped_with_a_reason(int length)
    {
        var packet = new DhcpTestPacket(DhcpMessageType.Discover).Pxe(0).ToBytes()[..length];
        Assert.Null(DhcpMessage.TryParse(packet, out var error));
        Assert.StartsWith("too short", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Oversized_messages_options_running_past_the_end_and_missing_cookies_are_dropped()
    {
        var valid = new DhcpTestPacket(DhcpMessageType.Discover).Pxe(0).ToBytes();
        Assert.Null(DhcpMessage.TryParse([.. valid, .. new byte[5000]], out var error));
        Assert.StartsWith("too long", error, StringComparison.Ordinal);
        var runaway = valid[..^1].Concat(new byte[] { 60, 200, 1, 2 }).ToArray();
        Assert.Null(DhcpMessage.TryParse(runaway, out error));
        Assert.Contains("runs past the end", error, StringComparison.Ordinal);
        var noCookie = (byte[])valid.Clone();
        noCookie[236] = 0;
        Assert.Null(DhcpMessage.TryParse(noCookie, out error));
        Assert.Contains("cookie", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_options_are_ignored()
    {
        var packet = new DhcpTestPacket(DhcpMessageType.Discover).Option((DhcpOptionCode)224, 1, 2, 3).Pxe(0).Option((DhcpOptionCode)250);
        var reply = Proxy().Respond(packet.Parse(), FromNowhere, false, Now);
        Assert.Equal("undionly.kpxe", BootFile(reply!.Parse()));
    }

    [Fact]
    public void Fuzzed_messages_never_throw_in_the_parser_or_the_responder()
    {
        var random = new Random(99);
        var proxy = Proxy();
        var full = Full();
        var seeds = new[]
        {
            new DhcpTestPacket(DhcpMessageType.Discover).Pxe(0).ToBytes(),
            new DhcpTestPacket(DhcpMessageType.Request).Pxe(7, ipxe: true).Option(DhcpOptionCode.RequestedAddress, 10, 66, 0, 100).ToBytes(),
        };
        var parsed = 0;
        for (var i = 0; i < 20000; i++)
        {
            var packet = (byte[])seeds[i % 2].Clone();
            for (var e = random.Next(1, 8); e > 0; e--)
            {
                packet[random.Next(packet.Length)] = (byte)random.Next(256);
            }
            packet = packet[..random.Next(200, packet.Length + 1)];
            var message = DhcpMessage.TryParse(packet, out _);
            if (message == null)
            {
                continue;
            }
            parsed++;
            proxy.Respond(message, FromNowhere, random.Next(2) == 0, Now);
            full.Respond(message, FromNowhere, random.Next(2) == 0, Now);
        }
        Assert.True(parsed > 1000, $"only {parsed} fuzzed messages parsed; the fuzzer is not reaching the responder");
    }
}

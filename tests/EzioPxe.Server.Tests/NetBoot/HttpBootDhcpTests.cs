using System.Net;
using EzioPxe.Server.NetBoot;
using EzioPxe.Server.NetBoot.Dhcp;

namespace EzioPxe.Server.Tests.NetBoot;

/// <summary>DHCP answers for UEFI HTTP boot clients (vendor class "HTTPClient", architecture 16), and the boot paths they record.</summary>
public sealed class HttpBootDhcpTests
{
    private static readonly IPAddress Server = IPAddress.Parse("10.66.0.1");
    private static readonly IPEndPoint FromNowhere = new(IPAddress.Any, 68);
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    private static ConfiguredBootPlanProvider Plans(string? httpBootUrl = "http://10.66.0.1:8080/netboot/", string efi = "snponly.efi") => new(
        new BootLoaderOptions { Bios = "undionly.kpxe", EfiX64 = efi, IpxeScriptUrl = "http://10.66.0.1:8080/ipxe/{mac}.ipxe", HttpBootUrl = httpBootUrl },
        _ => "console=ttyS0");

    private static DhcpResponder Full(IBootPlanProvider plans, BootPathLog? log = null) => new(new DhcpServerOptions
    {
        Mode = DhcpMode.Full, ServerAddress = Server, RangeStart = IPAddress.Parse("10.66.0.100"), RangeEnd = IPAddress.Parse("10.66.0.102"),
    }, plans, logger: null, bootPaths: log);

    private static DhcpResponder Proxy(IBootPlanProvider plans) => new(new DhcpServerOptions { Mode = DhcpMode.Proxy, ServerAddress = Server }, plans);

    [Fact]
    public void Full_mode_gives_an_http_client_an_address_the_httpclient_class_and_the_loader_url()
    {
        var offer = Full(Plans()).Respond(new DhcpTestPacket(DhcpMessageType.Discover).Http().Parse(), FromNowhere, false, Now)!.Parse();

        Assert.Equal(DhcpMessageType.Offer, offer.MessageType);
        Assert.Equal(IPAddress.Parse("10.66.0.100"), new IPAddress(offer.Raw.Slice(16, 4)));
        // EDK2 ignores the URL of an offer without vendor class "HTTPClient".
        Assert.Equal("HTTPClient", offer.GetTextOption(DhcpOptionCode.VendorClass));
        Assert.Equal("http://10.66.0.1:8080/netboot/snponly.efi", offer.GetTextOption(DhcpOptionCode.BootFileName));
    }

    [Fact]
    public void Proxy_mode_offers_the_url_with_httpclient_and_without_pxe_options()
    {
        var offer = Proxy(Plans(efi: "shimx64.efi")).Respond(new DhcpTestPacket(DhcpMessageType.Discover).Http().Parse(), FromNowhere, false, Now)!.Parse();

        Assert.Equal(IPAddress.Any, new IPAddress(offer.Raw.Slice(16, 4)));
        Assert.Equal("HTTPClient", offer.GetTextOption(DhcpOptionCode.VendorClass));
        Assert.False(offer.TryGetOption(DhcpOptionCode.VendorSpecific, out _));
        Assert.Equal("http://10.66.0.1:8080/netboot/shimx64.efi", offer.GetTextOption(DhcpOptionCode.BootFileName));
    }

    [Fact]
    public void Http_clients_are_not_answered_without_an_http_boot_url_nor_for_an_architecture_without_a_loader()
    {
        Assert.Null(Proxy(Plans(httpBootUrl: null)).Respond(new DhcpTestPacket(DhcpMessageType.Discover).Http().Parse(), FromNowhere, false, Now));
        // 19 is ARM64 UEFI HTTP boot: we have no ARM64 loader.
        Assert.Null(Proxy(Plans()).Respond(new DhcpTestPacket(DhcpMessageType.Discover).Http(19).Parse(), FromNowhere, false, Now));
        // Full mode still leases an address, just without boot information.
        var offer = Full(Plans(httpBootUrl: null)).Respond(new DhcpTestPacket(DhcpMessageType.Discover).Http().Parse(), FromNowhere, false, Now)!.Parse();
        Assert.Null(offer.GetTextOption(DhcpOptionCode.BootFileName));
        Assert.Null(offer.GetTextOption(DhcpOptionCode.VendorClass));
    }

    [Fact]
    public void A_bad_http_boot_url_is_refused()
    {
        foreach (var url in new[] { "tftp://10.66.0.1/", "http://10.66.0.1:8080/netboot", "netboot/" })
        {
            var error = Assert.Throws<ArgumentException>(() => new BootLoaderOptions { HttpBootUrl = url, IpxeScriptUrl = "x" }.Validate());
            Assert.Contains("HttpBootUrl", error.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("http", "", "UEFI HTTP")]
    [InlineData("pxe-bios", "pxelinux.0", "BIOS/pxelinux")]
    [InlineData("pxe-bios", "undionly.kpxe", "BIOS/iPXE")]
    [InlineData("pxe-efi", "snponly.efi", "UEFI/iPXE")]
    [InlineData("pxe-efi", "shimx64.efi", "UEFI Secure Boot/shim+GRUB")]
    [InlineData("pxe-efi", "grubnetx64.efi", "UEFI/GRUB")]
    public void The_dhcp_answer_records_the_boot_path_the_machine_takes(string client, string efiLoader, string expected)
    {
        var log = new BootPathLog();
        var plans = new ConfiguredBootPlanProvider(new BootLoaderOptions
        {
            Bios = client == "pxe-bios" ? efiLoader : "pxelinux.0", EfiX64 = client == "pxe-efi" ? efiLoader : "shimx64.efi",
            IpxeScriptUrl = "http://10.66.0.1:8080/ipxe/{mac}.ipxe", HttpBootUrl = "http://10.66.0.1:8080/netboot/",
        }, _ => "console=ttyS0");
        var packet = new DhcpTestPacket(DhcpMessageType.Discover);
        packet = client switch { "http" => packet.Http(), "pxe-bios" => packet.Pxe(0), _ => packet.Pxe(7) };

        Assert.NotNull(Full(plans, log).Respond(packet.Parse(), FromNowhere, false, Now));

        Assert.Equal(expected, log.Find(packet.Mac)!.Path.Describe());
        // The status registry keys machines as aa:bb:...; both spellings find it.
        Assert.Equal(expected, log.Find("52:54:00:12:34:56")!.Path.Describe());
    }

    [Fact]
    public void The_ipxe_round_after_a_first_stage_keeps_the_first_stages_path()
    {
        var log = new BootPathLog();
        var responder = Full(Plans(), log);
        responder.Respond(new DhcpTestPacket(DhcpMessageType.Discover).Http().Parse(), FromNowhere, false, Now);
        responder.Respond(new DhcpTestPacket(DhcpMessageType.Discover).Pxe(7, ipxe: true).Parse(), FromNowhere, false, Now);

        var record = log.Find(PhysicalAddressOf("52-54-00-12-34-56"))!;
        Assert.Equal(BootPath.UefiHttp, record.Path);
        Assert.Equal("UEFI HTTP (snponly.efi)", record.Describe());

        // A NIC whose ROM already is iPXE has no earlier stage.
        var other = new DhcpTestPacket(DhcpMessageType.Discover, "52-54-00-00-00-09").Pxe(0, ipxe: true);
        responder.Respond(other.Parse(), FromNowhere, false, Now);
        Assert.Equal(BootPath.BiosIpxe, log.Find(other.Mac)!.Path);
    }

    [Fact]
    public void The_log_is_bounded_and_forgets_the_machine_seen_first()
    {
        var log = new BootPathLog();
        for (var i = 0; i <= BootPathLog.MaxMachines; i++)
        {
            var mac = new System.Net.NetworkInformation.PhysicalAddress([2, 0, 0, (byte)(i >> 16), (byte)(i >> 8), (byte)i]);
            log.Record(new BootClient(mac, ClientArchitecture.BiosX86, IsIpxe: false), "pxelinux.0");
        }
        Assert.Null(log.Find("02-00-00-00-00-00"));
        Assert.NotNull(log.Find("02-00-00-00-00-01"));
        Assert.NotNull(log.Find($"02-00-00-00-{BootPathLog.MaxMachines >> 8:x2}-{BootPathLog.MaxMachines & 0xff:x2}"));
    }

    private static System.Net.NetworkInformation.PhysicalAddress PhysicalAddressOf(string mac) => MacAddressText.TryParse(mac)!;
}

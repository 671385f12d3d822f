using EzioPxe.TestSupport.VirtualLan;

namespace EzioPxe.Server.Tests.NetBoot;

/// <summary>
/// The command line of the netboot server (NetBootCommand) in a test on a <see cref="VirtualLan"/>
/// made with its default address: it listens on the LAN's server address, serves the bridge, and
/// names itself as next-server. One place, so that the tests differ only in what they test.
/// </summary>
internal sealed record NetBootArguments(string Root, string Dhcp)
{
    /// <summary>VirtualLan.Create()'s server address; tests assert on URLs that hold it.</summary>
    public const string Server = "10.66.0.1";

    /// <summary>Full mode: hands out 10.66.0.100-150 and keeps its leases here.</summary>
    public string? LeaseFile { get; init; }

    public string Bios { get; init; } = "undionly.kpxe";

    public string Efi { get; init; } = "snponly.efi";

    /// <summary>
    /// Where iPXE clients (QEMU's ROMs, or the loader above once it runs) fetch kernel and initrd,
    /// e.g. "http://10.66.0.1:8000/"; their script comes by TFTP. Null: iPXE clients are handed
    /// the loader like any PXE ROM.
    /// </summary>
    public string? IpxeHttpBase { get; init; }

    /// <summary>UEFI HTTP boot clients get this URL + <see cref="Efi"/>; null: they are not answered.</summary>
    public string? HttpBootUrl { get; init; }

    /// <summary>Every machine's kernel command line says ezio.job=Job, which the test finds on the console.</summary>
    public string? Job { get; init; }

    public string[] ToArray() =>
    [
        "--root", Root, "--listen", Server, "--dhcp", Dhcp, "--interface", VirtualLan.BridgeName, "--server-address", Server,
        .. LeaseFile == null ? Array.Empty<string>() : ["--range", "10.66.0.100-10.66.0.150", "--lease-file", LeaseFile],
        "--bios", Bios, "--efi64", Efi,
        .. IpxeHttpBase == null ? (string[])["--ipxe-script-url", "none"] : ["--ipxe-script-url", $"tftp://{Server}/ipxe/{{mac}}.ipxe", "--ipxe-base-url", IpxeHttpBase],
        .. HttpBootUrl == null ? Array.Empty<string>() : ["--http-boot-url", HttpBootUrl],
        .. Job == null ? Array.Empty<string>() : ["--cmdline", $"console=ttyS0 quiet ezio.server={Server} ezio.job={Job}"],
    ];
}

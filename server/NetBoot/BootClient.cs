using System.Net.NetworkInformation;

namespace EzioPxe.Server.NetBoot;

/// <summary>
/// What we know about a machine asking to boot.
/// <paramref name="Mac"/> is null when the request does not name a machine (pxelinux.cfg/default,
/// grub.cfg, ipxe/default.ipxe): the provider then answers for "any machine".
/// <paramref name="IsIpxe"/> is true when the client is already iPXE (DHCP option 77 user class "iPXE"),
/// so it can fetch a script and the kernel over HTTP.
/// <paramref name="IsHttpBoot"/> is true for UEFI HTTP boot firmware (vendor class "HTTPClient", or
/// architecture 15/16/19): it takes a URL as its boot file and never speaks TFTP.
/// </summary>
public sealed record BootClient(PhysicalAddress? Mac, ClientArchitecture Architecture, bool IsIpxe, bool IsHttpBoot = false);

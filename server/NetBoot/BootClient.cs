using System.Net.NetworkInformation;

namespace EzioPxe.Server.NetBoot;

/// <summary>
/// What we know about a machine asking to boot.
/// <paramref name="Mac"/> is null when the request does not name a machine (pxelinux.cfg/default,
/// grub.cfg, ipxe/default.ipxe): the provider then answers for "any machine".
/// <paramref name="IsIpxe"/> is true when the client is already iPXE (DHCP option 77 user class "iPXE"),
/// so it can fetch a script and the kernel over HTTP.
/// </summary>
public sealed record BootClient(PhysicalAddress? Mac, ClientArchitecture Architecture, bool IsIpxe);

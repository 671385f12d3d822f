using System.Net;
using System.Net.NetworkInformation;

namespace EzioPxe.Server.NetBoot.Dhcp;

/// <summary>An address bound to a machine until <paramref name="Expires"/>. <paramref name="Committed"/> is false while only offered.</summary>
public sealed record DhcpLease(PhysicalAddress Mac, IPAddress Address, DateTimeOffset Expires, bool Committed);

using System.Net;

namespace EzioPxe.Server.NetBoot.Dhcp;

/// <summary>Settings of the DHCP / proxyDHCP server.</summary>
public sealed record DhcpServerOptions
{
    public DhcpMode Mode { get; init; } = DhcpMode.Proxy;

    /// <summary>Our address on the boot LAN: the server identifier (option 54) and, by default, the TFTP next-server.</summary>
    public required IPAddress ServerAddress { get; init; }

    /// <summary>Network interface to serve (SO_BINDTODEVICE), e.g. "eth1"; null serves every interface.</summary>
    public string? Interface { get; init; }

    /// <summary>TFTP server named in siaddr; defaults to <see cref="ServerAddress"/>.</summary>
    public IPAddress? TftpServer { get; init; }

    public int ServerPort { get; init; } = 67;

    public int ClientPort { get; init; } = 68;

    /// <summary>PXE boot server port (PXE spec 2.1): clients ask here after a proxy offer. 0 disables it.</summary>
    public int PxePort { get; init; } = 4011;

    /// <summary>Full mode: first address handed out.</summary>
    public IPAddress? RangeStart { get; init; }

    /// <summary>Full mode: last address handed out.</summary>
    public IPAddress? RangeEnd { get; init; }

    public IPAddress SubnetMask { get; init; } = IPAddress.Parse("255.255.255.0");

    public IPAddress? Router { get; init; }

    public IReadOnlyList<IPAddress> DnsServers { get; init; } = [];

    public TimeSpan LeaseTime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Full mode: leases are kept here across restarts (one "mac address expiry" line each); null keeps them in memory.</summary>
    public string? LeaseFile { get; init; }

    /// <summary>Throws with a clear message for a configuration that cannot work.</summary>
    public void Validate()
    {
        if (ServerAddress.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"DHCP: server address {ServerAddress} must be IPv4");
        }
        if (Mode == DhcpMode.Full)
        {
            if (RangeStart == null || RangeEnd == null)
            {
                throw new ArgumentException("DHCP full mode needs RangeStart and RangeEnd");
            }
            if (Ipv4.ToUInt32(RangeStart) > Ipv4.ToUInt32(RangeEnd))
            {
                throw new ArgumentException($"DHCP range {RangeStart}-{RangeEnd} is backwards");
            }
            if (!Ipv4.SameSubnet(RangeStart, ServerAddress, SubnetMask) || !Ipv4.SameSubnet(RangeEnd, ServerAddress, SubnetMask))
            {
                throw new ArgumentException($"DHCP range {RangeStart}-{RangeEnd} is not in the server's subnet {ServerAddress}/{SubnetMask}");
            }
            if (LeaseTime < TimeSpan.FromSeconds(60))
            {
                throw new ArgumentException("DHCP lease time must be at least 60 seconds");
            }
        }
    }
}

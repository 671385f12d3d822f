namespace EzioPxe.Server.NetBoot.Dhcp;

public enum DhcpMode
{
    /// <summary>The LAN has a DHCP server: answer only PXE clients with boot information, never hand out addresses.</summary>
    Proxy,

    /// <summary>Isolated deployment LAN: we are the DHCP server, leasing addresses from a range.</summary>
    Full,
}

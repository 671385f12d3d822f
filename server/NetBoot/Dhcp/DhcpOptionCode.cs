namespace EzioPxe.Server.NetBoot.Dhcp;

/// <summary>The DHCP options we read or write (RFC 2132, RFC 4578 for PXE, RFC 3004 for user class).</summary>
public enum DhcpOptionCode : byte
{
    Pad = 0,
    SubnetMask = 1,
    Router = 3,
    DomainNameServer = 6,
    HostName = 12,
    VendorSpecific = 43,
    RequestedAddress = 50,
    LeaseTime = 51,
    OptionOverload = 52,
    MessageType = 53,
    ServerIdentifier = 54,
    ParameterRequestList = 55,
    MaxMessageSize = 57,
    RenewalTime = 58,
    RebindingTime = 59,
    VendorClass = 60,
    ClientIdentifier = 61,
    TftpServerName = 66,
    BootFileName = 67,
    UserClass = 77,
    ClientArchitecture = 93,
    ClientNetworkInterface = 94,
    ClientMachineId = 97,
    End = 255,
}

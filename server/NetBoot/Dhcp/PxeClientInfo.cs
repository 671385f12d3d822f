using System.Buffers.Binary;

namespace EzioPxe.Server.NetBoot.Dhcp;

/// <summary>
/// What a DHCP message says about the client's boot firmware: PXE (vendor class "PXEClient",
/// RFC 4578), its architecture (option 93) and whether it is iPXE (user class "iPXE", option 77).
/// </summary>
public static class PxeClientInfo
{
    public static bool IsPxeClient(DhcpMessage message) =>
        message.TryGetOption(DhcpOptionCode.VendorClass, out var vendor) && vendor.StartsWith("PXEClient"u8);

    /// <summary>
    /// UEFI HTTP boot firmware sends vendor class "HTTPClient:Arch:xxxxx:UNDI:yyyzzz" (UEFI 2.5+
    /// section 24.7) and expects "HTTPClient" back in the offer, else it ignores the boot URL.
    /// </summary>
    public static bool IsHttpClient(DhcpMessage message) =>
        message.TryGetOption(DhcpOptionCode.VendorClass, out var vendor) && vendor.StartsWith("HTTPClient"u8);

    /// <summary>A client we may give boot information: PXE or UEFI HTTP boot firmware.</summary>
    public static bool IsBootClient(DhcpMessage message) => IsPxeClient(message) || IsHttpClient(message);

    /// <summary>iPXE sends its user class as the plain string "iPXE" (not RFC 3004's length-prefixed list); accept both.</summary>
    public static bool IsIpxe(DhcpMessage message) =>
        message.TryGetOption(DhcpOptionCode.UserClass, out var userClass) && userClass.IndexOf("iPXE"u8) >= 0;

    public static ClientArchitecture Architecture(DhcpMessage message)
    {
        if (message.TryGetOption(DhcpOptionCode.ClientArchitecture, out var value) && value.Length >= 2)
        {
            return (ClientArchitecture)BinaryPrimitives.ReadUInt16BigEndian(value);
        }
        // A PXE client without option 93 predates RFC 4578: that is BIOS.
        return IsPxeClient(message) ? ClientArchitecture.BiosX86 : ClientArchitecture.Unknown;
    }

    public static BootClient ToBootClient(DhcpMessage message)
    {
        var architecture = Architecture(message);
        return new(message.ClientHardwareAddress, architecture, IsIpxe(message), IsHttpClient(message) || architecture.IsHttpBoot());
    }
}

using System.Net.NetworkInformation;
using EzioPxe.Contracts.Machines;

namespace EzioPxe.Server.NetBoot;

/// <summary>
/// The MAC spellings boot loaders use in file names, for the <see cref="PhysicalAddress"/> that
/// DHCP packets carry. Parsing and formatting are <see cref="MacAddress"/>'s, the one MAC codec.
/// </summary>
public static class MacAddressText
{
    /// <summary>"aa-bb-cc-dd-ee-ff", lower case (iPXE's ${mac:hexhyp}).</summary>
    public static string Hyphenated(PhysicalAddress mac) => MacAddress.FromBytes(mac.GetAddressBytes()).Hyphenated;

    /// <summary>"01-aa-bb-cc-dd-ee-ff": ARP hardware type 1 (Ethernet) first, as pxelinux and GRUB ask for it.</summary>
    public static string PxelinuxName(PhysicalAddress mac) => "01-" + Hyphenated(mac);

    /// <summary>Any spelling <see cref="MacAddress.TryParse(string?, out MacAddress)"/> accepts; null if it is not a 6-byte MAC.</summary>
    public static PhysicalAddress? TryParse(string text) =>
        MacAddress.TryParse(text, out var mac) ? new PhysicalAddress(mac.GetBytes()) : null;
}

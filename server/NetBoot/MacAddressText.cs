using System.Globalization;
using System.Net.NetworkInformation;

namespace EzioPxe.Server.NetBoot;

/// <summary>The MAC spellings boot loaders use in file names.</summary>
public static class MacAddressText
{
    /// <summary>"aa-bb-cc-dd-ee-ff", lower case (iPXE's ${mac:hexhyp}).</summary>
    public static string Hyphenated(PhysicalAddress mac) =>
        string.Join('-', mac.GetAddressBytes().Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));

    /// <summary>"01-aa-bb-cc-dd-ee-ff": ARP hardware type 1 (Ethernet) first, as pxelinux and GRUB ask for it.</summary>
    public static string PxelinuxName(PhysicalAddress mac) => "01-" + Hyphenated(mac);

    /// <summary>Parses "aa-bb-cc-dd-ee-ff" or "aa:bb:cc:dd:ee:ff" (any case); null if it is not a 6-byte MAC.</summary>
    public static PhysicalAddress? TryParse(string text)
    {
        var parts = text.Split('-', ':');
        if (parts.Length != 6)
        {
            return null;
        }
        var bytes = new byte[6];
        for (var i = 0; i < 6; i++)
        {
            if (parts[i].Length != 2 || !byte.TryParse(parts[i], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes[i]))
            {
                return null;
            }
        }
        return new PhysicalAddress(bytes);
    }
}

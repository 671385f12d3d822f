namespace EzioPxe.Server.NetBoot;

public static class BootPathExtensions
{
    /// <summary>The text the status page and `eziopxe status` show.</summary>
    public static string Describe(this BootPath path) => path switch
    {
        BootPath.BiosPxelinux => "BIOS/pxelinux",
        BootPath.BiosIpxe => "BIOS/iPXE",
        BootPath.UefiIpxe => "UEFI/iPXE",
        BootPath.UefiSecureBoot => "UEFI Secure Boot/shim+GRUB",
        BootPath.UefiGrub => "UEFI/GRUB",
        BootPath.UefiHttp => "UEFI HTTP",
        _ => path.ToString(),
    };

    /// <summary>
    /// The path a DHCP answer starts: from the client's kind and the boot file we handed out.
    /// Null for a client that already runs iPXE (its second DHCP round continues a chain that
    /// began earlier) unless nothing earlier was seen, e.g. a NIC whose ROM is iPXE.
    /// </summary>
    public static BootPath? Classify(BootClient client, string bootFile, bool chainAlreadySeen)
    {
        if (client.IsHttpBoot)
        {
            return BootPath.UefiHttp;
        }
        var efi = client.Architecture != ClientArchitecture.BiosX86;
        if (client.IsIpxe)
        {
            return chainAlreadySeen ? null : efi ? BootPath.UefiIpxe : BootPath.BiosIpxe;
        }
        if (!efi)
        {
            return BootLoaderOptions.IsIpxeLoader(bootFile) ? BootPath.BiosIpxe : BootPath.BiosPxelinux;
        }
        if (BootLoaderOptions.IsShim(bootFile))
        {
            return BootPath.UefiSecureBoot;
        }
        return BootLoaderOptions.IsIpxeLoader(bootFile) ? BootPath.UefiIpxe : BootPath.UefiGrub;
    }
}

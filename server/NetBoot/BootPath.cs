namespace EzioPxe.Server.NetBoot;

/// <summary>Which network boot chain a machine took, as the server saw it in DHCP.</summary>
public enum BootPath
{
    /// <summary>BIOS PXE ROM -> pxelinux.0 -> kernel + initramfs over TFTP.</summary>
    BiosPxelinux,

    /// <summary>BIOS PXE ROM (or an iPXE ROM) -> iPXE -> script, kernel and initramfs.</summary>
    BiosIpxe,

    /// <summary>UEFI PXE -> snponly.efi / ipxe.efi -> script, kernel and initramfs. Needs Secure Boot off.</summary>
    UefiIpxe,

    /// <summary>UEFI PXE -> Microsoft-signed shim -> Debian-signed GRUB -> signed kernel. Works with Secure Boot on.</summary>
    UefiSecureBoot,

    /// <summary>UEFI PXE -> GRUB without shim (unsigned chain or GRUB-only setups).</summary>
    UefiGrub,

    /// <summary>UEFI HTTP boot: the firmware fetched its loader from a URL, no TFTP.</summary>
    UefiHttp,
}

namespace EzioPxe.TestSupport.VirtualLan;

public enum QemuFirmware
{
    /// <summary>SeaBIOS, i440fx machine: the NIC's option ROM does PXE.</summary>
    Bios,

    /// <summary>OVMF (EDK2) on a q35 machine, with a private copy of the variable store.</summary>
    Uefi,

    /// <summary>
    /// OVMF with Secure Boot enforced and Microsoft's keys enrolled (Debian's OVMF_CODE_4M.ms.fd with
    /// OVMF_VARS_4M.ms.fd): only Microsoft-signed loaders such as shim start. Needs SMM (q35,smm=on).
    /// </summary>
    UefiSecureBoot,
}

namespace EzioPxe.TestSupport.VirtualLan;

public enum QemuFirmware
{
    /// <summary>SeaBIOS, i440fx machine: the NIC's option ROM does PXE.</summary>
    Bios,

    /// <summary>OVMF (EDK2) on a q35 machine, with a private copy of the variable store.</summary>
    Uefi,
}

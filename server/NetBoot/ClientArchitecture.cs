namespace EzioPxe.Server.NetBoot;

/// <summary>
/// DHCP option 93, client system architecture (RFC 4578, IANA "Processor Architecture Types").
/// RFC 4578 calls 7 "EFI BC" and 9 "EFI x86-64", but firmware in the field sends both for x86-64 UEFI.
/// </summary>
public enum ClientArchitecture : ushort
{
    BiosX86 = 0,
    EfiIa32 = 6,
    EfiBc = 7,
    EfiX64 = 9,
    EfiArm32 = 10,
    EfiArm64 = 11,
    EfiX86Http = 15,

    /// <summary>x86-64 UEFI HTTP boot: the firmware wants a URL as its boot file (UEFI 2.5+ 24.7).</summary>
    EfiX64Http = 16,

    /// <summary>ARM64 UEFI HTTP boot (IANA 0x13); recognised so it is logged by name, answered only with an ARM64 loader.</summary>
    EfiArm64Http = 19,

    /// <summary>Not told (no option 93), e.g. a boot menu requested by a file name alone.</summary>
    Unknown = 0xFFFF,
}

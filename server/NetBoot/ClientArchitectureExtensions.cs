namespace EzioPxe.Server.NetBoot;

public static class ClientArchitectureExtensions
{
    /// <summary>
    /// True for the two codes x86-64 UEFI PXE firmware uses (see <see cref="ClientArchitecture"/>).
    /// Not 16 (UEFI HTTP boot): such a client wants a URL, not a TFTP file name.
    /// </summary>
    public static bool IsEfiX64(this ClientArchitecture architecture) =>
        architecture is ClientArchitecture.EfiBc or ClientArchitecture.EfiX64;

    /// <summary>The IANA codes of UEFI HTTP boot (15 x86, 16 x86-64, 19 ARM64 among them): the boot file must be a URL.</summary>
    public static bool IsHttpBoot(this ClientArchitecture architecture) =>
        architecture is ClientArchitecture.EfiX86Http or ClientArchitecture.EfiX64Http or ClientArchitecture.EfiArm64Http;
}

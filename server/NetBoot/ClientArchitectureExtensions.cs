namespace EzioPxe.Server.NetBoot;

public static class ClientArchitectureExtensions
{
    /// <summary>True for the two codes x86-64 UEFI firmware uses (see <see cref="ClientArchitecture"/>).</summary>
    public static bool IsEfiX64(this ClientArchitecture architecture) =>
        architecture is ClientArchitecture.EfiBc or ClientArchitecture.EfiX64 or ClientArchitecture.EfiX64Http;
}

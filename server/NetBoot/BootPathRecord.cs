namespace EzioPxe.Server.NetBoot;

/// <summary>What the server last saw one machine boot: the chain and the boot file DHCP handed out.</summary>
public sealed record BootPathRecord(BootPath Path, string BootFile, DateTime At)
{
    /// <summary>"UEFI Secure Boot/shim+GRUB (shimx64.efi)".</summary>
    public string Describe() => $"{Path.Describe()} ({System.IO.Path.GetFileName(BootFile)})";
}

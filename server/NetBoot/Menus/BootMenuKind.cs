namespace EzioPxe.Server.NetBoot.Menus;

/// <summary>The boot loaders we write configuration for.</summary>
public enum BootMenuKind
{
    Pxelinux,
    Ipxe,
    Grub,
}

namespace EzioPxe.Server.NetBoot;

/// <summary>
/// What one machine boots.
/// <paramref name="BootFile"/>: what DHCP hands out: a TFTP path (pxelinux.0, snponly.efi) or, for
/// an iPXE client, a URL of its iPXE script (http://... or tftp://...).
/// <paramref name="Kernel"/>, <paramref name="Initrd"/>: paths relative to the boot root (TFTP root,
/// and the HTTP base URL for iPXE) used by the generated menus.
/// <paramref name="KernelCommandLine"/>: the whole command line, job included
/// (e.g. "console=ttyS0 ezio.server=10.0.0.1 ezio.job=lab").
/// </summary>
public sealed record BootPlan(string BootFile, string KernelCommandLine, string Kernel = "vmlinuz", string Initrd = "initrd.img")
{
    /// <summary>The machine has nothing to deploy: its menus boot its own disk (<see cref="Menus.LocalBootMenu"/>).</summary>
    public bool BootsLocalDisk { get; init; }
}

namespace EzioPxe.Server.NetBoot.Menus;

/// <summary>
/// Where generated menus live and how iPXE reaches the kernel.
/// <see cref="IpxeBaseUrl"/> prefixes kernel and initrd in iPXE scripts: "http://10.0.0.1:8080/boot/"
/// (fast; the HTTP server serves the same boot root) or "tftp://10.0.0.1/".
/// </summary>
public sealed record BootMenuOptions
{
    public required string IpxeBaseUrl { get; init; }

    /// <summary>Folder of per-machine iPXE scripts: "ipxe/aa-bb-cc-dd-ee-ff.ipxe" and "ipxe/default.ipxe".</summary>
    public string IpxeDirectory { get; init; } = "ipxe";

    /// <summary>Folder of GRUB configs: "grub/grub.cfg-01-aa-bb-cc-dd-ee-ff" and "grub/grub.cfg".</summary>
    public string GrubDirectory { get; init; } = "grub";

    /// <summary>
    /// Prefix of kernel and initrd in GRUB configs ({{GRUB_BASE}}): "/" reads them from the TFTP
    /// root; "(http,10.0.0.1:8080)/boot/" fetches them over HTTP (GRUB's http module).
    /// </summary>
    public string GrubBase { get; init; } = "/";

    public BootMenuTemplates Templates { get; init; } = BootMenuTemplates.Default;
}

namespace EzioPxe.Server.NetBoot;

/// <summary>
/// Which boot loader each kind of client gets (file names relative to the TFTP root), and where an
/// iPXE client finds its script. <see cref="IpxeScriptUrl"/> may contain "{mac}" (aa-bb-cc-dd-ee-ff);
/// null means iPXE clients get the same loader as everyone else, so that loader must not be iPXE
/// itself (it would chain-load itself forever).
/// </summary>
public sealed record BootLoaderOptions
{
    /// <summary>BIOS PXE (option 93 = 0): "pxelinux.0" or iPXE "undionly.kpxe".</summary>
    public string Bios { get; init; } = "undionly.kpxe";

    /// <summary>
    /// x86-64 UEFI (option 93 = 7 or 9): iPXE "snponly.efi" / "ipxe.efi", GRUB "grubnetx64.efi", or
    /// Debian's Microsoft-signed "shimx64.efi" for Secure Boot (shim then loads grubx64.efi from the
    /// same directory, GRUB the generated grub/grub.cfg).
    /// </summary>
    public string EfiX64 { get; init; } = "snponly.efi";

    /// <summary>32-bit UEFI (option 93 = 6); null means such clients are not answered.</summary>
    public string? EfiIa32 { get; init; }

    /// <summary>Script URL handed to clients that already are iPXE, e.g. "http://10.0.0.1:8080/boot/ipxe/{mac}.ipxe".</summary>
    public string? IpxeScriptUrl { get; init; }

    /// <summary>
    /// Where UEFI HTTP boot clients fetch the loaders of the TFTP root over HTTP, e.g.
    /// "http://10.0.0.1:8080/tftp/": an x86-64 HTTP client gets this + <see cref="EfiX64"/> as its
    /// boot file. Null: HTTP boot clients are not answered (they fall back to PXE).
    /// </summary>
    public string? HttpBootUrl { get; init; }

    private static readonly string[] IpxeLoaders = ["undionly.kpxe", "undionly.kkpxe", "ipxe.pxe", "ipxe.efi", "snponly.efi", "snp.efi"];

    /// <summary>True for the iPXE builds Debian ships (unsigned: Secure Boot firmware refuses them).</summary>
    public static bool IsIpxeLoader(string loader) => IpxeLoaders.Contains(Path.GetFileName(loader), StringComparer.OrdinalIgnoreCase);

    /// <summary>True for shim, the Microsoft-signed first stage of the Secure Boot chain (shimx64.efi, shim.efi ...).</summary>
    public static bool IsShim(string loader) => Path.GetFileName(loader).StartsWith("shim", StringComparison.OrdinalIgnoreCase);

    /// <summary>Throws with a clear message when the combination would loop or is empty.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Bios) || string.IsNullOrWhiteSpace(EfiX64))
        {
            throw new ArgumentException("boot loaders: Bios and EfiX64 file names must not be empty");
        }
        if (IpxeScriptUrl == null)
        {
            foreach (var loader in new[] { Bios, EfiX64, EfiIa32 })
            {
                if (loader != null && IsIpxeLoader(loader))
                {
                    throw new ArgumentException($"boot loaders: '{loader}' is iPXE, so IpxeScriptUrl must be set; otherwise iPXE would load itself again forever");
                }
            }
        }
        if (HttpBootUrl != null && !(Uri.TryCreate(HttpBootUrl, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && HttpBootUrl.EndsWith('/')))
        {
            throw new ArgumentException($"boot loaders: HttpBootUrl '{HttpBootUrl}' must be an http:// or https:// URL ending in '/'");
        }
    }
}

using System.Net.NetworkInformation;
using System.Text;

namespace EzioPxe.Server.NetBoot.Menus;

/// <summary>
/// The generated boot configs as files, rendered on request from the current plans:
/// pxelinux.cfg/default and pxelinux.cfg/01-aa-bb-cc-dd-ee-ff (the names pxelinux tries),
/// ipxe/default.ipxe and ipxe/aa-bb-cc-dd-ee-ff.ipxe, grub/grub.cfg and grub/grub.cfg-01-aa-bb-cc-dd-ee-ff
/// (the names GRUB's net boot tries). A machine without a plan gets "not found", so its loader
/// falls through to the next name or fails visibly.
/// </summary>
public sealed class BootMenuFiles : IGeneratedFiles
{
    private readonly IBootPlanProvider _plans;
    private readonly BootMenuRenderer _renderer;
    private readonly string _ipxePrefix;
    private readonly string _grubPrefix;

    public BootMenuFiles(IBootPlanProvider plans, BootMenuOptions options)
    {
        _plans = plans;
        _renderer = new BootMenuRenderer(options);
        _ipxePrefix = options.IpxeDirectory.Trim('/') + "/";
        _grubPrefix = options.GrubDirectory.Trim('/') + "/";
    }

    public bool TryGet(string path, out ReadOnlyMemory<byte> content)
    {
        content = default;
        if (!TryClassify(path, out var kind, out var mac, out var architecture))
        {
            return false;
        }
        var plan = _plans.GetPlan(new BootClient(mac, architecture, IsIpxe: kind == BootMenuKind.Ipxe));
        if (plan == null)
        {
            return false;
        }
        var text = _renderer.Render(kind, plan, mac);
        if (kind == BootMenuKind.Grub && mac == null)
        {
            text = GrubMachineRedirect + text;
        }
        content = Encoding.UTF8.GetBytes(text);
        return true;
    }

    /// <summary>
    /// Debian's signed network GRUB (the Secure Boot chain) reads only $prefix/grub.cfg, not the
    /// per-MAC names GRUB's own net search tries. So grub.cfg first hands over to the machine's file,
    /// grub.cfg-01-aa:bb:cc:dd:ee:ff ($net_default_mac is colon-separated; we accept both spellings).
    /// configfile opens a new context, so the machine's file does not come back here; if it does not
    /// exist (machine not ours, old GRUB without $net_default_mac) the menu below runs.
    /// </summary>
    private const string GrubMachineRedirect = """
        # EzioPxe: this machine's own configuration first.
        if [ -n "$net_default_mac" ]; then
          configfile $prefix/grub.cfg-01-$net_default_mac
        fi

        """;

    private bool TryClassify(string path, out BootMenuKind kind, out PhysicalAddress? mac, out ClientArchitecture architecture)
    {
        mac = null;
        if (TryMatch(path, "pxelinux.cfg/", "default", "01-", "", out mac))
        {
            kind = BootMenuKind.Pxelinux;
            architecture = ClientArchitecture.BiosX86;
            return true;
        }
        if (TryMatch(path, _ipxePrefix, "default.ipxe", "", ".ipxe", out mac))
        {
            kind = BootMenuKind.Ipxe;
            architecture = ClientArchitecture.Unknown;
            return true;
        }
        if (TryMatch(path, _grubPrefix, "grub.cfg", "grub.cfg-01-", "", out mac))
        {
            kind = BootMenuKind.Grub;
            architecture = ClientArchitecture.EfiX64;
            return true;
        }
        kind = default;
        architecture = default;
        return false;
    }

    /// <summary>Matches prefix + defaultName (mac = null) or prefix + macPrefix + MAC + suffix.</summary>
    private static bool TryMatch(string path, string prefix, string defaultName, string macPrefix, string suffix, out PhysicalAddress? mac)
    {
        mac = null;
        if (!path.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }
        var name = path[prefix.Length..];
        if (name == defaultName)
        {
            return true;
        }
        if (name.StartsWith(macPrefix, StringComparison.OrdinalIgnoreCase) && name.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
        {
            mac = MacAddressText.TryParse(name[macPrefix.Length..^suffix.Length]);
            return mac != null;
        }
        return false;
    }
}

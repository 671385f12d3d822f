using System.Net.NetworkInformation;
using System.Reflection;

namespace EzioPxe.Server.NetBoot.Menus;

/// <summary>
/// The menus of a machine with nothing to deploy: boot its own disk (pxelinux LOCALBOOT 0, iPXE
/// sanboot of drive 0x80 on BIOS or exit on UEFI, GRUB exit), so a room whose firmware tries the
/// network first is imaged once and then starts normally. Templates: pxe/templates/local/*.tmpl.
/// </summary>
public static class LocalBootMenu
{
    private static readonly string Pxelinux = ReadEmbedded("pxelinux.cfg.tmpl");
    private static readonly string Ipxe = ReadEmbedded("ipxe.tmpl");
    private static readonly string Grub = ReadEmbedded("grub.cfg.tmpl");

    public static string Render(BootMenuKind kind, PhysicalAddress? mac)
    {
        var template = kind switch
        {
            BootMenuKind.Pxelinux => Pxelinux,
            BootMenuKind.Ipxe => Ipxe,
            BootMenuKind.Grub => Grub,
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        return template.Replace("{{MACHINE}}", mac == null ? "any machine" : MacAddressText.Hyphenated(mac), StringComparison.Ordinal);
    }

    private static string ReadEmbedded(string name)
    {
        var resource = "EzioPxe.Server.NetBoot.Menus.local." + name;
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded menu template {resource} missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

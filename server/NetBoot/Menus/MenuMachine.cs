using EzioPxe.Contracts.Machines;

namespace EzioPxe.Server.NetBoot.Menus;

/// <summary>
/// The machine a boot menu's file name is for — ipxe/aa-bb-cc-dd-ee-ff.ipxe,
/// pxelinux.cfg/01-aa-bb-…, grub/grub.cfg-01-aa:bb:… — so that its menu, which carries its report
/// key and counts as its boot, goes only to that machine's address (Status.LeasedAddresses).
/// </summary>
public static class MenuMachine
{
    /// <summary>The MAC of a per-machine menu path (or bare file name); null for anything else.</summary>
    public static MacAddress? Of(string path)
    {
        var name = path[(path.LastIndexOf('/') + 1)..];
        var text = name.EndsWith(".ipxe", StringComparison.OrdinalIgnoreCase) ? name[..^5] : name;
        text = text.StartsWith("grub.cfg-01-", StringComparison.OrdinalIgnoreCase) ? text[12..]
            : text.StartsWith("01-", StringComparison.Ordinal) ? text[3..] : text;
        // Only MAC spellings with separators: a 12-hex-digit file name of the TFTP root is not a menu.
        return text.Length == 17 && MacAddress.TryParse(text, out var mac) ? mac : null;
    }
}

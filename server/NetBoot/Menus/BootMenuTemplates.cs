using System.Reflection;

namespace EzioPxe.Server.NetBoot.Menus;

/// <summary>
/// The three menu templates (pxe/templates/*.tmpl). The defaults are compiled into the program;
/// an administrator can point at a directory with edited copies instead.
/// Placeholders: {{MACHINE}} {{KERNEL}} {{INITRD}} {{INITRD_NAME}} {{CMDLINE}} {{BASE}} {{GRUB_BASE}}.
/// </summary>
public sealed record BootMenuTemplates(string Pxelinux, string Ipxe, string Grub)
{
    public static BootMenuTemplates Default { get; } = new(
        ReadEmbedded("pxelinux.cfg.tmpl"), ReadEmbedded("ipxe.tmpl"), ReadEmbedded("grub.cfg.tmpl"));

    /// <summary>Reads the templates from a directory laid out like pxe/templates; missing files keep the default.</summary>
    public static BootMenuTemplates Load(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"menu template directory '{directory}' does not exist");
        }
        string Read(string name, string fallback)
        {
            var path = Path.Combine(directory, name);
            return File.Exists(path) ? File.ReadAllText(path) : fallback;
        }
        return new BootMenuTemplates(
            Read("pxelinux.cfg.tmpl", Default.Pxelinux), Read("ipxe.tmpl", Default.Ipxe), Read("grub.cfg.tmpl", Default.Grub));
    }

    public string For(BootMenuKind kind) => kind switch
    {
        BootMenuKind.Pxelinux => Pxelinux,
        BootMenuKind.Ipxe => Ipxe,
        BootMenuKind.Grub => Grub,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static string ReadEmbedded(string name)
    {
        var resource = "EzioPxe.Server.NetBoot.Menus." + name;
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded menu template {resource} missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

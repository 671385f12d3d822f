using System.Net.NetworkInformation;
using System.Text;

namespace EzioPxe.Server.NetBoot.Menus;

/// <summary>Fills a menu template with one machine's plan.</summary>
public sealed class BootMenuRenderer(BootMenuOptions options)
{
    public string Render(BootMenuKind kind, BootPlan plan, PhysicalAddress? mac)
    {
        // A line break would let a command line inject its own directives into the boot config.
        if (plan.KernelCommandLine.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException($"kernel command line must be one line: '{plan.KernelCommandLine}'");
        }
        var template = options.Templates.For(kind);
        return new StringBuilder(template)
            .Replace("{{MACHINE}}", mac == null ? "any machine" : MacAddressText.Hyphenated(mac))
            .Replace("{{KERNEL}}", plan.Kernel)
            .Replace("{{INITRD_NAME}}", Path.GetFileName(plan.Initrd))
            .Replace("{{INITRD}}", plan.Initrd)
            .Replace("{{CMDLINE}}", plan.KernelCommandLine)
            .Replace("{{BASE}}", options.IpxeBaseUrl)
            .Replace("{{GRUB_BASE}}", options.GrubBase)
            .ToString();
    }
}

using System.Text;
using EzioPxe.Server.NetBoot;
using EzioPxe.Server.NetBoot.Menus;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.NetBoot;

public sealed class BootMenuTests
{
    private static readonly ConfiguredBootPlanProvider Plans = new(
        new BootLoaderOptions { Bios = "pxelinux.0", EfiX64 = "grubnetx64.efi" },
        mac => mac == null ? "console=ttyS0 ezio.job=none" : "console=ttyS0 ezio.job=lab ezio.mac=" + MacAddressText.Hyphenated(mac),
        kernel: "boot/vmlinuz", initrd: "boot/initrd.img");

    private static readonly BootMenuFiles Files = new(Plans, new BootMenuOptions { IpxeBaseUrl = "http://10.66.0.1:8080/" });

    private static string Get(string path) =>
        Files.TryGet(path, out var content) ? Encoding.UTF8.GetString(content.Span) : throw new FileNotFoundException(path);

    [Fact]
    public void Per_mac_pxelinux_file_carries_that_machines_command_line()
    {
        var text = Get("pxelinux.cfg/01-52-54-00-AB-CD-EF");
        Assert.Contains("KERNEL boot/vmlinuz", text, StringComparison.Ordinal);
        Assert.Contains("INITRD boot/initrd.img", text, StringComparison.Ordinal);
        Assert.Contains("APPEND console=ttyS0 ezio.job=lab ezio.mac=52-54-00-ab-cd-ef", text, StringComparison.Ordinal);
        Assert.Contains("DEFAULT eziopxe", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Default_files_use_the_plan_for_any_machine()
    {
        Assert.Contains("APPEND console=ttyS0 ezio.job=none", Get("pxelinux.cfg/default"), StringComparison.Ordinal);
        Assert.Contains("ezio.job=none", Get("ipxe/default.ipxe"), StringComparison.Ordinal);
        Assert.Contains("ezio.job=none", Get("grub/grub.cfg"), StringComparison.Ordinal);
    }

    [Fact]
    public void Ipxe_script_fetches_over_the_base_url_and_names_the_initrd_on_the_command_line()
    {
        var text = Get("ipxe/52-54-00-ab-cd-ef.ipxe");
        Assert.StartsWith("#!ipxe\n", text, StringComparison.Ordinal);
        Assert.Contains("kernel http://10.66.0.1:8080/boot/vmlinuz initrd=initrd.img console=ttyS0 ezio.job=lab ezio.mac=52-54-00-ab-cd-ef", text, StringComparison.Ordinal);
        Assert.Contains("initrd --name initrd.img http://10.66.0.1:8080/boot/initrd.img", text, StringComparison.Ordinal);
        Assert.EndsWith("boot\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Grub_config_per_mac_boots_the_kernel_from_the_tftp_root()
    {
        var text = Get("grub/grub.cfg-01-52-54-00-ab-cd-ef");
        Assert.Contains("linux /boot/vmlinuz console=ttyS0 ezio.job=lab", text, StringComparison.Ordinal);
        Assert.Contains("initrd /boot/initrd.img", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Grub_cfg_hands_over_to_the_machines_own_file_named_as_grub_spells_the_mac()
    {
        // Debian's signed GRUB reads only $prefix/grub.cfg; $net_default_mac is aa:bb:cc:dd:ee:ff.
        var text = Get("grub/grub.cfg");
        Assert.Contains("configfile $prefix/grub.cfg-01-$net_default_mac", text, StringComparison.Ordinal);
        Assert.True(text.IndexOf("configfile", StringComparison.Ordinal) < text.IndexOf("menuentry", StringComparison.Ordinal));
        var machine = Get("grub/grub.cfg-01-52:54:00:ab:cd:ef");
        Assert.Contains("ezio.mac=52-54-00-ab-cd-ef", machine, StringComparison.Ordinal);
        Assert.DoesNotContain("configfile", machine, StringComparison.Ordinal);
    }

    [Fact]
    public void Grub_base_prefixes_kernel_and_initrd()
    {
        var files = new BootMenuFiles(Plans, new BootMenuOptions { IpxeBaseUrl = "http://x/", GrubBase = "/netboot-boot/" });
        Assert.True(files.TryGet("grub/grub.cfg-01-52-54-00-ab-cd-ef", out var content));
        var text = Encoding.UTF8.GetString(content.Span);
        Assert.Contains("linux /netboot-boot/boot/vmlinuz console=ttyS0", text, StringComparison.Ordinal);
        Assert.Contains("initrd /netboot-boot/boot/initrd.img", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pxelinux.cfg/01-52-54-00-ab-cd")]
    [InlineData("pxelinux.cfg/C0A80001")]
    [InlineData("pxelinux.cfg/44454c4c-4e00-1036-8056-b2c04f483032")]
    [InlineData("ipxe/zz-54-00-ab-cd-ef.ipxe")]
    [InlineData("grub/grub.cfg-01-52-54-00-ab-cd-ef-00")]
    [InlineData("vmlinuz")]
    public void Other_names_are_not_generated_files(string path)
    {
        Assert.False(Files.TryGet(path, out _));
    }

    [Fact]
    public void A_command_line_with_a_line_break_is_refused_rather_than_injected()
    {
        var renderer = new BootMenuRenderer(new BootMenuOptions { IpxeBaseUrl = "tftp://x/" });
        var error = Assert.Throws<ArgumentException>(() => renderer.Render(BootMenuKind.Pxelinux, new BootPlan("pxelinux.0", "quiet\nLABEL evil"), null));
        Assert.Contains("one line", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Templates_can_be_replaced_from_a_directory_and_the_shipped_ones_match_pxe_templates()
    {
        using var directory = new TempDirectory();
        File.WriteAllText(directory.File("ipxe.tmpl"), "#!ipxe\nchain {{BASE}}{{KERNEL}} {{CMDLINE}}\n");
        var templates = BootMenuTemplates.Load(directory.Path);
        Assert.Equal("#!ipxe\nchain {{BASE}}{{KERNEL}} {{CMDLINE}}\n", templates.Ipxe);
        Assert.Equal(BootMenuTemplates.Default.Pxelinux, templates.Pxelinux);
        Assert.Equal(File.ReadAllText(RepositoryPaths.Of("pxe/templates/grub.cfg.tmpl")), BootMenuTemplates.Default.Grub);
    }
}

using EzioPxe.Client.Job;

namespace EzioPxe.Client.Tests.Job;

public class KernelCommandLineTests
{
    // As the three boot loaders we support hand them to the kernel (read back from /proc/cmdline).
    public const string Pxelinux = "BOOT_IMAGE=vmlinuz initrd=initrd.img ezio.server=10.0.0.1 ezio.job=lab ezio.disk=auto ezio.after=reboot quiet BOOTIF=01-52-54-00-12-34-56\n";
    public const string Ipxe = "initrd=initramfs.img console=tty0 console=ttyS0,115200n8 ezio.server=10.0.0.1:8080 ezio.torrent=http://10.0.0.1:8080/torrents/lab.torrent ezio.disk=/dev/nvme0n1 ezio.seed=600 ezio.log=debug\n";
    public const string Grub = "BOOT_IMAGE=(tftp)/vmlinuz ezio.server=[fd00::1]:8080 ezio.disk=ata-Samsung_SSD_860_EVO_500GB_S3Z1NB0K123456 ezio.after=poweroff ezio.seed=none ro\n";

    [Fact]
    public void Pxelinux_command_line_splits_into_parameters_and_flags()
    {
        var parameters = KernelCommandLine.Parse(Pxelinux);
        Assert.Equal(
            new[]
            {
                new KernelParameter("BOOT_IMAGE", "vmlinuz"), new KernelParameter("initrd", "initrd.img"),
                new KernelParameter("ezio.server", "10.0.0.1"), new KernelParameter("ezio.job", "lab"),
                new KernelParameter("ezio.disk", "auto"), new KernelParameter("ezio.after", "reboot"),
                new KernelParameter("quiet", null), new KernelParameter("BOOTIF", "01-52-54-00-12-34-56"),
            },
            parameters);
    }

    [Fact]
    public void Grub_tftp_path_and_ipxe_console_options_keep_their_punctuation()
    {
        Assert.Contains(new KernelParameter("BOOT_IMAGE", "(tftp)/vmlinuz"), KernelCommandLine.Parse(Grub));
        var ipxe = KernelCommandLine.Parse(Ipxe);
        Assert.Equal(["tty0", "ttyS0,115200n8"], ipxe.Where(p => p.Name == "console").Select(p => p.Value));
        Assert.Contains(new KernelParameter("ezio.torrent", "http://10.0.0.1:8080/torrents/lab.torrent"), ipxe);
    }

    [Theory]
    [InlineData("ezio.x=\"a b\"", "a b")]        // quoted value
    [InlineData("\"ezio.x=a b\"", "a b")]        // whole parameter quoted
    [InlineData("ezio.x=\"\"", "")]              // empty quoted value
    [InlineData("ezio.x=a\"b c\"d", "a\"b c\"d")] // quotes inside a value stay, as in the kernel
    [InlineData("ezio.x=a=b", "a=b")]            // only the first '=' splits
    [InlineData("ezio.x=", "")]
    public void Quoting_follows_the_kernel(string text, string value)
    {
        var parameter = Assert.Single(KernelCommandLine.Parse("quiet " + text + " splash"), p => p.Name == "ezio.x");
        Assert.Equal(value, parameter.Value);
    }

    [Fact]
    public void A_quoted_flag_loses_its_quotes_and_tabs_and_newlines_separate()
    {
        Assert.Equal(
            new[] { new KernelParameter("a flag", null), new KernelParameter("b", "1"), new KernelParameter("c", null) },
            KernelCommandLine.Parse("\"a flag\"\tb=1\n c\n"));
    }

    [Fact]
    public void Everything_after_a_double_dash_belongs_to_init()
    {
        Assert.Equal([new KernelParameter("ezio.job", "lab")], KernelCommandLine.Parse("ezio.job=lab -- ezio.disk=/dev/sda single"));
    }

    [Fact]
    public void Empty_command_line_has_no_parameters()
    {
        Assert.Empty(KernelCommandLine.Parse("  \n"));
    }
}

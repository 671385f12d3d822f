using System.Globalization;
using System.Text.Json.Nodes;
using EzioPxe.Server.Configuration;
using EzioPxe.Server.NetBoot;
using EzioPxe.Server.Tests.Http;
using EzioPxe.Server.Tests.Seeding;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.NetBoot;

/// <summary>`eziopxe serve` with a NetBoot section: TFTP runs inside it and iPXE scripts come over its HTTP.</summary>
public sealed class ServeNetBootTests
{
    [Fact]
    public async Task Serve_hands_ipxe_a_script_over_http_with_the_machines_command_line_and_serves_tftp()
    {
        using var temp = new TempDirectory("serve-netboot");
        var image = TestImage.Create(temp.File("lab.img"), seed: 3, dataBytes: 1L << 20);
        Directory.CreateDirectory(temp.File("tftp"));
        File.WriteAllBytes(temp.File("tftp/undionly.kpxe"), Enumerable.Range(0, 70_000).Select(i => (byte)i).ToArray());
        Directory.CreateDirectory(temp.File("boot"));
        File.WriteAllText(temp.File("boot/vmlinuz"), "kernel");
        var tftpPort = FreePort.Udp();
        var config = RunningServer.Config(temp.File("data"), image, c =>
        {
            c["Server"]!["BootDirectory"] = temp.File("boot");
            c["NetBoot"] = new JsonObject
            {
                ["Dhcp"] = "off",
                ["TftpRoot"] = temp.File("tftp"),
                ["TftpPort"] = tftpPort,
                ["KernelArguments"] = "console=ttyS0",
            };
        });
        await using var server = await RunningServer.StartAsync(config, temp.Path);
        var httpPort = config["Server"]!["HttpPort"]!.GetValue<int>();

        // No task armed: the machine is sent to its own disk.
        var local = await server.Http.GetStringAsync("ipxe/52-54-00-12-34-56.ipxe");
        Assert.StartsWith("#!ipxe", local, StringComparison.Ordinal);
        Assert.Contains("sanboot --no-describe --drive 0x80 || exit", local, StringComparison.Ordinal);
        Assert.DoesNotContain("kernel", local, StringComparison.Ordinal);

        Assert.Equal(0, EzioPxe.Server.Cli.DeployCommand.Run(["--job", "lab", "--machines", "52:54:00:12:34:56", "--server", server.BaseUrl], TextWriter.Null, TextWriter.Null));
        var script = await server.Http.GetStringAsync("ipxe/52-54-00-12-34-56.ipxe");
        Assert.StartsWith("#!ipxe", script, StringComparison.Ordinal);
        // The machine's report key and its image's info-hash ride on its own command line.
        Assert.Matches($@"kernel http://127\.0\.0\.1:{httpPort}/boot/vmlinuz initrd=initramfs\.img ezio\.server=127\.0\.0\.1:{httpPort} ezio\.key=[0-9a-f]{{32}} ezio\.infohash=[0-9a-f]{{40}} console=ttyS0", script);
        Assert.Contains($"initrd --name initramfs.img http://127.0.0.1:{httpPort}/boot/initramfs.img", script, StringComparison.Ordinal);

        var fetched = Tool.Run("curl", "-sS", "--tftp-blksize", "1468", "-o", temp.File("got"), $"tftp://127.0.0.1:{tftpPort.ToString(CultureInfo.InvariantCulture)}/undionly.kpxe");
        Assert.True(fetched.ExitCode == 0, fetched.StandardError);
        Assert.Equal(File.ReadAllBytes(temp.File("tftp/undionly.kpxe")), File.ReadAllBytes(temp.File("got")));
    }

    [Fact]
    public void A_bad_netboot_section_names_every_bad_key()
    {
        using var temp = new TempDirectory("serve-netboot-bad");
        var image = TestImage.Create(temp.File("lab.img"), seed: 4, dataBytes: 1L << 20);
        var config = RunningServer.Config(temp.File("data"), image, c =>
        {
            c["Server"]!["Address"] = "0.0.0.0";
            c["NetBoot"] = new JsonObject
            {
                ["Dhcp"] = "sometimes",
                ["RangeStart"] = "10.0.0.300",
                ["TftpRoot"] = temp.File("missing"),
                ["Colour"] = "blue",
            };
        });
        File.WriteAllText(temp.File("eziopxe.json"), config.ToJsonString());
        var configuration = ConfigurationLoader.Build(temp.File("eziopxe.json"), [], new Dictionary<string, string?>());

        var error = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Load(configuration));

        Assert.Contains(error.Problems, p => p.StartsWith("NetBoot:Dhcp: 'sometimes'", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("NetBoot:RangeStart: '10.0.0.300'", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("NetBoot:TftpRoot:", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("NetBoot:Colour: unknown key", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("NetBoot:ServerAddress:", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("Server:BootDirectory:", StringComparison.Ordinal));
    }
}

using System.Globalization;
using System.Text.Json.Nodes;
using EzioPxe.Server.Configuration;
using EzioPxe.Server.NetBoot;
using EzioPxe.Server.Status;
using EzioPxe.Server.Tests.Http;
using EzioPxe.Server.Tests.Seeding;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.NetBoot;

/// <summary>`eziopxe serve` with NetBoot:SecureBoot and NetBoot:HttpBoot: what TFTP and HTTP hand out, and the checks on the keys.</summary>
public sealed class ServeSecureBootTests
{
    [Fact]
    public async Task Secure_boot_serves_the_machines_grub_config_and_the_kernel_from_the_boot_directory_by_tftp()
    {
        using var temp = new TempDirectory("serve-secureboot");
        var image = TestImage.Create(temp.File("lab.img"), seed: 5, dataBytes: 1L << 20);
        Directory.CreateDirectory(temp.File("tftp"));
        File.WriteAllText(temp.File("tftp/shimx64.efi"), "shim");
        File.WriteAllText(temp.File("tftp/grubx64.efi"), "grub");
        Directory.CreateDirectory(temp.File("boot"));
        File.WriteAllText(temp.File("boot/vmlinuz"), "the signed kernel");
        var tftpPort = FreePort.Udp();
        var config = RunningServer.Config(temp.File("data"), image, c =>
        {
            c["Server"]!["BootDirectory"] = temp.File("boot");
            c["NetBoot"] = new JsonObject
            {
                ["Dhcp"] = "off", ["TftpRoot"] = temp.File("tftp"), ["TftpPort"] = tftpPort, ["SecureBoot"] = true, ["KernelArguments"] = "console=ttyS0",
            };
        });
        await using var server = await RunningServer.StartAsync(config, temp.Path);
        var httpPort = config["Server"]!["HttpPort"]!.GetValue<int>();

        // Without a task the machine's GRUB config boots its disk; armed, it gets the signed kernel.
        Assert.Matches(@"menuentry ""Local disk[^{]*\{\s*exit\s*\}", TftpGet(tftpPort, "grub/grub.cfg-01-52:54:00:12:34:56", temp.File("local.cfg")));
        Assert.Equal(0, EzioPxe.Server.Cli.DeployCommand.Run(["--job", "lab", "--machines", "52:54:00:12:34:56", "--server", server.BaseUrl], TextWriter.Null, TextWriter.Null));
        var grub = TftpGet(tftpPort, "grub/grub.cfg-01-52:54:00:12:34:56", temp.File("grub.cfg"));
        // The machine's report key and its image's info-hash ride on its own command line.
        Assert.Matches($@"linux /boot/vmlinuz ezio\.server=127\.0\.0\.1:{httpPort} ezio\.key=[0-9a-f]{{32}} ezio\.infohash=[0-9a-f]{{40}} console=ttyS0", grub);
        Assert.Contains("initrd /boot/initramfs.img", grub, StringComparison.Ordinal);
        // GRUB's "/boot/vmlinuz" is Server:BootDirectory's kernel, by TFTP.
        Assert.Equal("the signed kernel", TftpGet(tftpPort, "/boot/vmlinuz", temp.File("vmlinuz")));
        Assert.Equal("shim", TftpGet(tftpPort, "shimx64.efi", temp.File("shim")));
        // The boot directory alias stays confined like the root.
        var escape = Tool.Run("curl", "-sS", "-o", temp.File("x"), $"tftp://127.0.0.1:{tftpPort.ToString(CultureInfo.InvariantCulture)}/boot/../../lab.img");
        Assert.NotEqual(0, escape.ExitCode);
        // Loaders are not served over HTTP unless HttpBoot is on.
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await server.Http.GetAsync("netboot/shimx64.efi")).StatusCode);
    }

    [Fact]
    public async Task Http_boot_serves_the_tftp_roots_loaders_over_http_and_nothing_outside_it()
    {
        using var temp = new TempDirectory("serve-httpboot");
        var image = TestImage.Create(temp.File("lab.img"), seed: 6, dataBytes: 1L << 20);
        Directory.CreateDirectory(temp.File("tftp"));
        File.WriteAllBytes(temp.File("tftp/snponly.efi"), [1, 2, 3, 4]);
        Directory.CreateDirectory(temp.File("boot"));
        var config = RunningServer.Config(temp.File("data"), image, c =>
        {
            c["Server"]!["BootDirectory"] = temp.File("boot");
            c["NetBoot"] = new JsonObject { ["Dhcp"] = "off", ["TftpRoot"] = temp.File("tftp"), ["TftpPort"] = FreePort.Udp(), ["HttpBoot"] = true };
        });
        await using var server = await RunningServer.StartAsync(config, temp.Path);

        Assert.Equal(new byte[] { 1, 2, 3, 4 }, await server.Http.GetByteArrayAsync("netboot/snponly.efi"));
        using var head = await server.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "netboot/snponly.efi"));
        Assert.Equal(System.Net.HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(4, head.Content.Headers.ContentLength);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await server.Http.GetAsync("netboot/..%2Flab.img")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await server.Http.GetAsync("netboot/missing.efi")).StatusCode);
    }

    [Fact]
    public void Secure_boot_settings_are_checked_with_the_key_named()
    {
        using var temp = new TempDirectory("serve-secureboot-bad");
        var image = TestImage.Create(temp.File("lab.img"), seed: 7, dataBytes: 1L << 20);
        Directory.CreateDirectory(temp.File("tftp"));
        Directory.CreateDirectory(temp.File("boot"));

        var unsigned = Problems(temp, image, new JsonObject { ["SecureBoot"] = true, ["EfiLoader"] = "snponly.efi", ["HttpBoot"] = true });
        Assert.Contains(unsigned, p => p.StartsWith("NetBoot:EfiLoader: 'snponly.efi' is iPXE, unsigned", StringComparison.Ordinal));
        Assert.Contains(unsigned, p => p.StartsWith("NetBoot:HttpBoot: Debian's signed GRUB cannot fetch over HTTP", StringComparison.Ordinal));
        var missing = Problems(temp, image, new JsonObject { ["SecureBoot"] = true });
        Assert.Contains(missing, p => p.StartsWith("NetBoot:SecureBoot: 'shimx64.efi' is missing from TftpRoot", StringComparison.Ordinal));
        Assert.Contains(missing, p => p.StartsWith("NetBoot:SecureBoot: 'grubx64.efi' is missing from TftpRoot", StringComparison.Ordinal));
        Assert.Contains(Problems(temp, image, new JsonObject { ["SecureBoot"] = "maybe" }), p => p == "NetBoot:SecureBoot: 'maybe' is not true or false");

        File.WriteAllText(temp.File("tftp/shimx64.efi"), "shim");
        File.WriteAllText(temp.File("tftp/grubx64.efi"), "grub");
        var good = Settings(temp, image, new JsonObject { ["SecureBoot"] = true }).NetBoot;
        Assert.Equal("shimx64.efi", good?.EfiLoader);
    }

    [Fact]
    public void Status_table_shows_the_boot_path_column_once_a_machine_was_seen_booting()
    {
        MachineStatus Machine(string mac, string? boot) => new()
        {
            Mac = mac, State = "downloading", Percent = 25, Report = new() { Mac = mac, State = "downloading", BytesDone = 1, BytesTotal = 4, Peers = 1 },
            SecondsSinceReport = 1, BootPath = boot,
        };
        var status = new ServerStatus
        {
            Time = DateTime.UtcNow, StartedAt = DateTime.UtcNow, Images = [], Jobs = [],
            Machines = [Machine("52:54:00:00:00:01", "UEFI Secure Boot/shim+GRUB (shimx64.efi)"), Machine("52:54:00:00:00:02", null)],
        };
        var text = StatusTable.Format(status);
        Assert.Matches(@"(?m)^MAC\s+NAME.*ETA\s+BOOT$", text);
        Assert.Matches(@"(?m)^52:54:00:00:00:01 .*UEFI Secure Boot/shim\+GRUB \(shimx64\.efi\)$", text);
        Assert.Matches(@"(?m)^52:54:00:00:00:02 .* -$", text);
        Assert.DoesNotContain("BOOT", StatusTable.Format(status with { Machines = [Machine("52:54:00:00:00:02", null)] }), StringComparison.Ordinal);
    }

    private static string TftpGet(int port, string path, string destination)
    {
        var result = Tool.Run("curl", "-sS", "-o", destination, $"tftp://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/{path}");
        Assert.True(result.ExitCode == 0, $"{path}: {result.StandardError}");
        return File.ReadAllText(destination);
    }

    private static ServerSettings Settings(TempDirectory temp, string image, JsonObject netBoot)
    {
        netBoot["Dhcp"] = "off";
        netBoot["TftpRoot"] = temp.File("tftp");
        var config = RunningServer.Config(temp.File("data"), image, c =>
        {
            c["Server"]!["BootDirectory"] = temp.File("boot");
            c["NetBoot"] = netBoot;
        });
        File.WriteAllText(temp.File("eziopxe.json"), config.ToJsonString());
        return ConfigurationLoader.Load(ConfigurationLoader.Build(temp.File("eziopxe.json"), [], new Dictionary<string, string?>()));
    }

    private static IReadOnlyList<string> Problems(TempDirectory temp, string image, JsonObject netBoot) =>
        Assert.Throws<ConfigurationException>(() => Settings(temp, image, netBoot)).Problems;
}

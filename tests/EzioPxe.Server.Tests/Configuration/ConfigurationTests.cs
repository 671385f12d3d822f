using System.Text.RegularExpressions;
using EzioPxe.Contracts.Machines;
using EzioPxe.Server.Configuration;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.Configuration;

/// <summary>Configuration from file, environment and command line, and the errors an administrator sees.</summary>
public sealed partial class ConfigurationTests : IDisposable
{
    private readonly TempDirectory _temp = new("config");
    private readonly string _image;

    public ConfigurationTests()
    {
        _image = _temp.File("lab.img");
        File.WriteAllBytes(_image, new byte[4096]);
        Directory.CreateDirectory(_temp.File("boot"));
    }

    public void Dispose() => _temp.Dispose();

    private ServerSettings Load(string json, Dictionary<string, string?>? environment = null, params string[] commandLine)
    {
        var path = _temp.File("eziopxe.json");
        File.WriteAllText(path, json.Replace("IMAGE", _image, StringComparison.Ordinal));
        return ConfigurationLoader.Load(ConfigurationLoader.Build(path, commandLine, environment ?? new()));
    }

    private IReadOnlyList<string> Problems(string json) => Assert.Throws<ConfigurationException>(() => Load(json)).Problems;

    private const string Minimal = """{ "Images": { "lab": { "Source": "IMAGE" } }, "Jobs": { "lab": { "Image": "lab" } } }""";

    [Fact]
    public void The_example_in_the_documentation_is_valid_once_its_paths_exist()
    {
        var markdown = File.ReadAllText(RepositoryPaths.Of("docs/configuration.md"));
        var example = JsonBlock().Match(markdown).Groups[1].Value;
        var environment = new Dictionary<string, string?>
        {
            // The example's paths are a real server's; the environment points them here.
            ["EZIOPXE_Images__lab__Source"] = _image,
            ["EZIOPXE_Images__exam__Source"] = _image,
            ["EZIOPXE_Server__BootDirectory"] = _temp.File("boot"),
        };
        var settings = Load(example, environment);
        Assert.Equal("10.0.0.1", settings.Address.ToString());
        Assert.Equal(["exam", "lab"], settings.Images.Select(i => i.Name).Order());
        Assert.Equal(30, settings.Jobs["lab"].ExpectedMachines);
        Assert.Equal("exam", settings.Machines[new MacAddress(0x525400123402)].Job);
        Assert.Equal("lab", settings.Options.DefaultJob);
        Assert.Equal(4 << 20, settings.FindImage("EXAM")!.PieceLength);
        Assert.Equal("/var/lib/eziopxe/lab.torrent", settings.FindImage("lab")!.TorrentPath);
    }

    [Fact]
    public void Defaults_fill_everything_but_images_and_jobs()
    {
        var settings = Load(Minimal);
        Assert.Equal(("0.0.0.0", 8080, 6881), (settings.Address.ToString(), settings.Server.HttpPort, settings.Server.PeerPort));
        Assert.Equal((20, 5), (settings.Tracker.IntervalSeconds, settings.Tracker.MinIntervalSeconds));
        var job = settings.Jobs["LAB"];
        Assert.Equal(("auto", "reboot", "until-done", 0), (job.Disk, job.After, job.Seed, job.ExpectedMachines));
        Assert.Null(settings.Options.DefaultJob);
    }

    [Fact]
    public void Environment_overrides_the_file_and_the_command_line_overrides_both()
    {
        var environment = new Dictionary<string, string?> { ["EZIOPXE_Server__HttpPort"] = "9000", ["EZIOPXE_Server__PeerPort"] = "9001", ["OTHER_Server__HttpPort"] = "1" };
        var json = Minimal.Replace("{ \"Images\"", "{ \"Server\": { \"HttpPort\": 80, \"Address\": \"127.0.0.1\" }, \"Images\"", StringComparison.Ordinal);
        Assert.Equal(80, Load(json).Server.HttpPort);
        Assert.Equal((9000, 9001), (Load(json, environment).Server.HttpPort, Load(json, environment).Server.PeerPort));
        var both = Load(json, environment, "--port", "9100", "--Tracker:IntervalSeconds=30", "--address=10.1.1.1");
        Assert.Equal((9100, 9001, 30, "10.1.1.1"), (both.Server.HttpPort, both.Server.PeerPort, both.Tracker.IntervalSeconds, both.Address.ToString()));
    }

    [Fact]
    public void A_job_naming_a_missing_image_is_refused_naming_the_key()
    {
        var problems = Problems("""{ "Images": { "lab": { "Source": "IMAGE" } }, "Jobs": { "lab": { "Image": "lab2" }, "other": { } } }""");
        Assert.Contains("Jobs:lab:Image: no image named 'lab2' in Images (known: lab)", problems);
        Assert.Contains(problems, p => p.StartsWith("Jobs:other:Image: missing", StringComparison.Ordinal));
    }

    [Fact]
    public void An_image_whose_source_does_not_exist_is_refused_naming_the_key()
    {
        var problems = Problems("""{ "Images": { "lab": { "Source": "/nonexistent/lab.img" }, "x": { } }, "Jobs": { "lab": { "Image": "lab" } } }""");
        Assert.Contains("Images:lab:Source: /nonexistent/lab.img does not exist", problems);
        Assert.Contains(problems, p => p.StartsWith("Images:x:Source: missing", StringComparison.Ordinal));
        // No image at all is a valid start (the package's default configuration; the first image may be a capture).
        Assert.Empty(Load("""{ "Jobs": { } }""").Images);
    }

    [Fact]
    public void Invalid_macs_and_unknown_jobs_in_machines_are_refused_naming_the_entry()
    {
        var problems = Problems(Minimal[..^1] + """
            , "Machines": [ { "Mac": "52:54:00:12:34:01", "Job": "lab" }, { "Mac": "52:54:00:zz:00:02", "Job": "lab" },
                            { "Mac": "52-54-00-12-34-01", "Job": "lab" }, { "Mac": "5254001234", "Job": "nope" } ], "DefaultJob": "gone" }
            """);
        Assert.Equal(
        [
            "Machines:1:Mac: '52:54:00:zz:00:02' is not a MAC address (aa:bb:cc:dd:ee:ff)",
            "Machines:2:Mac: 52:54:00:12:34:01 is listed twice",
            "Machines:3:Mac: '5254001234' is not a MAC address (aa:bb:cc:dd:ee:ff)",
            "Machines:3:Job: no job named 'nope' in Jobs (known: lab)",
            "DefaultJob: no job named 'gone' in Jobs (known: lab)",
        ], problems);
    }

    [Fact]
    public void Typos_wrong_types_and_out_of_range_values_are_all_reported_at_once()
    {
        var problems = Problems("""
            { "Server": { "HtpPort": 80, "PeerPort": "many", "Address": "10.0.0.300", "BootDirectory": "/nonexistent/boot" },
              "Tracker": { "IntervalSeconds": 10, "MinIntervalSeconds": 20, "PeerTimeoutSeconds": 5 },
              "Images": { "lab": { "Source": "IMAGE", "PieceSize": "3M", "Sorce": "x" }, "bad name": { "Source": "IMAGE" } },
              "Jobs": { "lab": { "Image": "lab", "After": "explode", "Seed": "forever", "ExpectedMachines": -1 }, "52:54:00:00:00:01": { "Image": "lab" } },
              "Imagess": { } }
            """);
        string[] expected =
        [
            "Imagess: unknown key",
            "Server:HtpPort: unknown key",
            "Images:lab:Sorce: unknown key",
            "Server:PeerPort: 'many' is not a whole number",
            "Server:Address: '10.0.0.300' is not an IP address",
            "Server:BootDirectory: directory /nonexistent/boot does not exist",
            "Tracker:MinIntervalSeconds: 20 must be from 1 to Tracker:IntervalSeconds (10)",
            "Tracker:PeerTimeoutSeconds: 5 must be longer than Tracker:IntervalSeconds",
            "Images:lab:PieceSize:",
            "Images:bad name: the name may hold only",
            "Jobs:lab:After: 'explode' is not reboot, poweroff, shell or wait",
            "Jobs:lab:Seed: 'forever' is not until-done, none or a number of seconds",
            "Jobs:lab:ExpectedMachines: -1 must not be negative",
        ];
        var text = string.Join("\n", problems);
        foreach (var line in expected)
        {
            Assert.Contains(line, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void NetBoot_is_checked_in_the_same_pass_as_every_other_section()
    {
        // Once NetBoot was read by a second loader after the rest had passed: its problems only
        // showed after the others were fixed, and its unknown keys were named its own way.
        Directory.CreateDirectory(_temp.File("tftp"));
        var problems = Problems(Minimal[..^1] + $$"""
            , "Server": { "Address": "10.0.0.1", "BootDirectory": "{{_temp.File("boot")}}", "HtpPort": 80 },
              "NetBoot": { "Dhcp": "sometimes", "TftpRoot": "{{_temp.File("tftp")}}", "Tftp": "maybe", "RangeStart": "10.0.0.300", "Colour": "blue" } }
            """);
        Assert.Equal(
        [
            "Server:HtpPort: unknown key (known: Address, PublicAddress, HttpPort, PeerPort, DataDirectory, BootDirectory, ControlFrom, CaptureDirectory, CaptureOverwrite, MaxRequestBodyBytes, MachinesPerAddress, AllowedNetworks)",
            "NetBoot:Colour: unknown key (known: Dhcp, Interface, ServerAddress, RangeStart, RangeEnd, SubnetMask, Router, LeaseFile, Tftp, TftpRoot, TftpPort, BiosLoader, EfiLoader, SecureBoot, HttpBoot, KernelArguments)",
            "NetBoot:Tftp: 'maybe' is not true or false",
            "NetBoot:Dhcp: 'sometimes' is not off, proxy or full",
            "NetBoot:RangeStart: '10.0.0.300' is not an IPv4 address",
        ], problems);

        var settings = Load(Minimal[..^1] + $$"""
            , "Server": { "Address": "10.0.0.1", "BootDirectory": "{{_temp.File("boot")}}" },
              "NetBoot": { "Dhcp": "Proxy", "TftpRoot": "{{_temp.File("tftp")}}", "TftpPort": 6969 } }
            """);
        Assert.Equal((Server.NetBoot.Dhcp.DhcpMode.Proxy, "10.0.0.1", 6969, "snponly.efi"),
            (settings.NetBoot!.Dhcp, settings.NetBoot.ServerAddress.ToString(), settings.NetBoot.TftpPort, settings.NetBoot.EfiLoader));
        Assert.Null(Load(Minimal).NetBoot);
    }

    [Fact]
    public void Job_values_are_checked_with_the_clients_own_parsers()
    {
        // Once the server accepted Disk "disk/by-id/ata-X" (every machine then failed) and refused
        // After "Reboot" and LogLevel "trace" (which every machine accepts).
        var problems = Problems("""
            { "Images": { "lab": { "Source": "IMAGE" } },
              "Jobs": { "lab": { "Image": "lab", "Disk": "disk/by-id/ata-X" },
                        "ok": { "Image": "lab", "Disk": "ata-ST500DM002_Z3T1", "After": "Reboot", "LogLevel": "trace", "Seed": "600" } } }
            """);
        Assert.Equal(["Jobs:lab:Disk: 'disk/by-id/ata-X' is not auto, a /dev path or a /dev/disk/by-id or by-path name (like ata-ST500DM002_Z3T1)"], problems);
    }

    [Fact]
    public void A_config_file_that_is_missing_or_not_json_is_refused_with_its_name()
    {
        var missing = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Build(_temp.File("none.json"), [], new Dictionary<string, string?>()));
        Assert.Contains("none.json does not exist", missing.Message, StringComparison.Ordinal);
        File.WriteAllText(_temp.File("broken.json"), "{ \"Server\": { \"HttpPort\": 80, ");
        var broken = Assert.Throws<ConfigurationException>(() => ConfigurationLoader.Build(_temp.File("broken.json"), [], new Dictionary<string, string?>()));
        Assert.Contains("not valid JSON", broken.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("52:54:00:12:34:56", true)]
    [InlineData("52-54-00-12-34-56", true)]
    [InlineData("525400123456", true)]
    [InlineData("52:54:00:12:34:5G", false)]
    [InlineData("52:54-00:12:34:56", false)]
    [InlineData("52:54:00:12:34", false)]
    [InlineData("", false)]
    public void Mac_addresses_parse_in_the_usual_spellings(string text, bool valid)
    {
        Assert.Equal(valid, MacAddress.TryParse(text, out var mac));
        if (valid)
        {
            Assert.Equal("52:54:00:12:34:56", mac.ToString());
        }
    }

    [GeneratedRegex("```json\\n(.*?)\\n```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();

    [Fact]
    public void A_capture_job_names_a_new_image_and_its_mode_and_overwrite_are_checked_with_the_client_parsers()
    {
        var settings = Load("""{ "Jobs": { "grab": { "Mode": "capture", "Image": "lab-2027", "Overwrite": "yes" } } }""");
        Assert.Equal("capture", settings.Jobs["grab"].Mode);
        var problems = Problems("""{ "Jobs": { "a": { "Mode": "clone", "Image": "x" }, "b": { "Mode": "capture" }, "c": { "Mode": "capture", "Image": "a b", "Overwrite": "maybe" } } }""");
        Assert.Contains("Jobs:a:Mode: 'clone' is not deploy or capture", problems);
        Assert.Contains("Jobs:b:Image: missing; a capture job names the image it makes", problems);
        Assert.Contains("Jobs:c:Image: 'a b' is not an image name (letters, digits, '.', '_', '-')", problems);
        Assert.Contains("Jobs:c:Overwrite: 'maybe' is not yes or no", problems);
    }
}

using EzioPxe.Client.Job;
using EzioPxe.Client.Power;
using EzioPxe.Contracts.Jobs;
using EzioPxe.Contracts.Machines;
using EzioPxe.TestSupport;
using Microsoft.Extensions.Configuration;

namespace EzioPxe.Client.Tests.Job;

public class ClientSettingsTests
{
    /// <summary>Reads settings the way the client does, from a cmdline file, the environment (with a prefix of this test's own) and args.</summary>
    private static ClientSettings Read(string cmdline, string[]? args = null, Dictionary<string, string>? environment = null)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("cmdline"), cmdline);
        var prefix = "EZIOTEST" + Guid.NewGuid().ToString("n")[..8].ToUpperInvariant() + "_";
        try
        {
            foreach (var (key, value) in environment ?? [])
            {
                Environment.SetEnvironmentVariable(prefix + key, value);
            }
            return ClientSettingsReader.Read(ClientConfiguration.Build(args ?? [], dir.File("cmdline"), prefix), prefix);
        }
        finally
        {
            foreach (var key in (environment ?? []).Keys)
            {
                Environment.SetEnvironmentVariable(prefix + key, null);
            }
        }
    }

    private static MacAddress Mac(string text) => MacAddress.TryParse(text, out var mac) ? mac : throw new FormatException(text);

    private static JobConfigurationException ReadFails(string cmdline, string[]? args = null, Dictionary<string, string>? environment = null) =>
        Assert.Throws<JobConfigurationException>(() => Read(cmdline, args, environment));

    [Fact]
    public void Pxelinux_job_by_name()
    {
        var settings = Read(KernelCommandLineTests.Pxelinux);
        Assert.Equal(new ServerAddress("10.0.0.1", 80), settings.Server);
        Assert.Equal("lab", settings.Job);
        Assert.Equal("auto", settings.Disk);
        Assert.Equal(AfterAction.Reboot, settings.After);
        Assert.Null(settings.Seed);
        Assert.Equal(SeedPolicy.UntilDone, settings.SeedOrDefault);
        Assert.True(settings.NeedsJobFromServer);
        Assert.Equal("http://10.0.0.1/jobs/lab?mac=52:54:00:12:34:56", settings.JobUrl(Mac("52:54:00:12:34:56")).ToString());
    }

    [Fact]
    public void Ipxe_explicit_torrent_needs_no_job()
    {
        var settings = Read(KernelCommandLineTests.Ipxe);
        Assert.Equal(new ServerAddress("10.0.0.1", 8080), settings.Server);
        Assert.Equal(new Uri("http://10.0.0.1:8080/torrents/lab.torrent"), settings.AbsoluteTorrentUrl);
        Assert.Equal("/dev/nvme0n1", settings.Disk);
        Assert.Equal(SeedPolicy.For(TimeSpan.FromSeconds(600)), settings.Seed);
        Assert.Equal(ClientLogLevel.Debug, settings.LogLevel);
        Assert.False(settings.NeedsJobFromServer);
    }

    [Fact]
    public void Grub_ipv6_server_and_by_id_disk_and_the_job_is_found_by_mac()
    {
        var settings = Read(KernelCommandLineTests.Grub);
        Assert.Equal(new ServerAddress("fd00::1", 8080), settings.Server);
        Assert.Equal("ata-Samsung_SSD_860_EVO_500GB_S3Z1NB0K123456", settings.Disk);
        Assert.Equal(AfterAction.PowerOff, settings.After);
        Assert.Equal(SeedPolicy.None, settings.Seed);
        Assert.True(settings.NeedsJobFromServer);
        Assert.Equal("http://[fd00::1]:8080/jobs/52%3A54%3A00%3A12%3A34%3A56", settings.JobUrl(Mac("52:54:00:12:34:56")).AbsoluteUri);
    }

    [Fact]
    public void Quoted_values_reach_the_settings()
    {
        var settings = Read("ezio.server=10.0.0.1 \"ezio.disk=/dev/disk/by-path/pci-0000:00:1f.2-ata-1\" ezio.mac=\"52-54-00-AB-CD-EF\"");
        Assert.Equal("/dev/disk/by-path/pci-0000:00:1f.2-ata-1", settings.Disk);
        Assert.Equal("52:54:00:ab:cd:ef", settings.Mac.ToString());
    }

    [Fact]
    public void Command_line_beats_environment_beats_kernel()
    {
        const string cmdline = "ezio.server=10.0.0.1 ezio.job=lab ezio.disk=/dev/sda ezio.after=reboot ezio.log=info";
        var environment = new Dictionary<string, string> { ["DISK"] = "/dev/sdb", ["AFTER"] = "shell" };
        var settings = Read(cmdline, ["--disk=/dev/sdc"], environment);
        Assert.Equal("/dev/sdc", settings.Disk);           // all three: command line wins
        Assert.Equal(AfterAction.Shell, settings.After);   // environment over kernel
        Assert.Equal(ClientLogLevel.Info, settings.LogLevel); // kernel only
        Assert.Equal("/dev/sdb", Read(cmdline, [], environment).Disk);
        Assert.Equal("/dev/sda", Read(cmdline).Disk);
    }

    [Fact]
    public void Other_kernel_parameters_are_ignored_but_unknown_ezio_ones_are_named()
    {
        var error = ReadFails("console=ttyS0 initrd=x ezio.server=10.0.0.1 ezio.disc=/dev/sda ezio.jobs=lab quiet");
        Assert.Equal(2, error.Problems.Count);
        Assert.Contains(error.Problems, p => p.StartsWith("unknown parameter ezio.disc", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("unknown parameter ezio.jobs", StringComparison.Ordinal));
        Assert.DoesNotContain("console", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_inits_own_parameters_on_the_same_command_line_are_not_the_clients_to_refuse()
    {
        // Every ezio.* parameter initramfs/init reads; a machine booted with any of them must still deploy.
        var settings = Read("ezio.server=10.0.0.1 ezio.job=lab ezio.debug=shell ezio.wait=4 ezio.linkwait=3 ezio.dhcp_tries=2 ezio.modules=e1000e ezio.init=dry");
        Assert.Equal("lab", settings.Job);
        var initParameters = File.ReadAllText(RepositoryPaths.Of("initramfs/init"));
        foreach (var key in ClientSettingsReader.InitKeys)
        {
            Assert.Contains("ezio." + key, initParameters, StringComparison.Ordinal);
        }
        // Only from the kernel command line: as a client option the name is still unknown.
        Assert.Contains(ReadFails("ezio.server=10.0.0.1", ["--linkwait=3"]).Problems, p => p.StartsWith("unknown parameter --linkwait", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("ezio.server=10.0.0.1 ezio.seed=forever", "ezio.seed: 'forever' is not until-done, none or a number of seconds")]
    [InlineData("ezio.server=10.0.0.1 ezio.after=explode", "ezio.after: 'explode' is not reboot, poweroff, shell or wait")]
    [InlineData("ezio.server=10.0.0.1 ezio.log=loud", "ezio.log: 'loud' is not a log level")]
    [InlineData("ezio.server=10.0.0.1 ezio.mac=52:54:00", "ezio.mac: '52:54:00' is not a MAC address")]
    [InlineData("ezio.server=10.0.0.1:99999", "ezio.server: '99999' is not a port number")]
    [InlineData("ezio.server=fd00::1", "ezio.server: 'fd00::1': write an IPv6 address in brackets")]
    [InlineData("ezio.server=10.0.0.1 ezio.torrent=ftp://x/y", "ezio.torrent: 'ftp://x/y' is not an http:// or https:// URL")]
    [InlineData("ezio.server=10.0.0.1 ezio.job=\"a b\"", "ezio.job: 'a b' is not a job name")]
    [InlineData("ezio.server=10.0.0.1 ezio.disk", "ezio.disk needs a value (ezio.disk=...)")]
    [InlineData("ezio.server=10.0.0.1 ezio.=x", "malformed parameter 'ezio.=x'")]
    [InlineData("ezio.server=10.0.0.1 ezio.a:b=x", "malformed parameter 'ezio.a:b=x'")]
    [InlineData("ezio.job=lab", "ezio.job=lab needs ezio.server")]
    [InlineData("ezio.disk=auto", "nothing to do")]
    [InlineData("ezio.torrent=/torrents/lab.torrent", "ezio.torrent=/torrents/lab.torrent is a path on the server")]
    [InlineData("ezio.server=http://10.0.0.1:8080/", "ezio.server: 'http://10.0.0.1:8080/' is a URL; give HOST[:PORT] only")]
    [InlineData("ezio.server=10.0.0.1:8080/", "ezio.server: '10.0.0.1:8080/' is a URL; give HOST[:PORT] only")]
    [InlineData("ezio.server=10.0.0.1 ezio.key=abc", "ezio.key: 'abc' is not a report key (32 hex digits)")]
    [InlineData("ezio.server=10.0.0.1 ezio.infohash=zz", "ezio.infohash: 'zz' is not an info-hash (40 hex digits)")]
    [InlineData("ezio.server=10.0.0.1 ezio.serverwait=-5", "ezio.serverwait: '-5' is not a number of seconds from 0 to 86400")]
    [InlineData("ezio.server=10.0.0.1 ezio.serverwait=99999", "ezio.serverwait: '99999' is not a number of seconds from 0 to 86400")]
    public void Malformed_parameters_are_reported_by_name(string cmdline, string message)
    {
        var error = ReadFails(cmdline);
        Assert.Contains(error.Problems, p => p.StartsWith(message, StringComparison.Ordinal));
    }

    [Fact]
    public void Errors_name_the_source_that_supplied_the_bad_value()
    {
        var fromEnvironment = ReadFails("ezio.server=10.0.0.1", [], new() { ["SEED"] = "often", ["COLOUR"] = "red" });
        Assert.Contains(fromEnvironment.Problems, p => p.StartsWith("EZIOTEST", StringComparison.Ordinal) && p.Contains("_SEED: 'often'", StringComparison.Ordinal));
        Assert.Contains(fromEnvironment.Problems, p => p.StartsWith("unknown parameter EZIOTEST", StringComparison.Ordinal) && p.Contains("_COLOUR", StringComparison.Ordinal));
        var fromArgs = ReadFails("ezio.server=10.0.0.1 ezio.seed=none", ["--seed", "often"]);
        Assert.StartsWith("--seed: 'often'", Assert.Single(fromArgs.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_problem_is_listed_at_once()
    {
        var error = ReadFails("ezio.server=10.0.0.1 ezio.seed=x ezio.after=y ezio.bogus=1");
        Assert.Equal(3, error.Problems.Count);
        Assert.Contains("ezio.bogus", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_job_from_the_server_fills_what_the_machine_did_not_say()
    {
        var local = Read("ezio.server=10.0.0.1:8080 ezio.disk=/dev/sdb");
        var merged = local.WithJob(new JobDescription { Name = "lab", TorrentUrl = "/torrents/lab.torrent", Disk = "auto", After = "poweroff", Seed = "120", LogLevel = "warn" });
        Assert.Equal("/dev/sdb", merged.Disk); // the kernel parameter beats the server
        Assert.Equal("lab", merged.Job);
        Assert.Equal(AfterAction.PowerOff, merged.After);
        Assert.Equal(SeedPolicy.For(TimeSpan.FromMinutes(2)), merged.Seed);
        Assert.Equal(ClientLogLevel.Warn, merged.LogLevel);
        Assert.Equal(new Uri("http://10.0.0.1:8080/torrents/lab.torrent"), merged.AbsoluteTorrentUrl);
    }

    [Fact]
    public void The_partition_comes_from_ezio_part_or_the_job()
    {
        Assert.Equal(3, Read("ezio.server=10.0.0.1 ezio.part=3").Partition);
        Assert.StartsWith("ezio.part: '0' is not a partition number", Assert.Single(ReadFails("ezio.server=10.0.0.1 ezio.part=0").Problems), StringComparison.Ordinal);
        var merged = Read("ezio.server=10.0.0.1").WithJob(new JobDescription { Name = "ezio", TorrentUrl = "/t", Disk = "auto", Partition = "2" });
        Assert.Equal(2, merged.Partition);
    }

    [Fact]
    public void Boot_menu_key_info_hash_and_wait_are_read_and_the_servers_fresh_key_wins()
    {
        var local = Read("ezio.server=10.0.0.1 ezio.key=0123456789ABCDEF0123456789abcdef ezio.infohash=" + new string('A', 40) + " ezio.serverwait=30");
        Assert.Equal("0123456789abcdef0123456789abcdef", local.Key);
        Assert.Equal(new string('a', 40), local.InfoHash);
        Assert.Equal(TimeSpan.FromSeconds(30), local.ServerWaitOrDefault);
        Assert.Equal(JobDefaults.ServerWait, Read("ezio.server=10.0.0.1").ServerWaitOrDefault);

        var merged = local.WithJob(new JobDescription { Name = "lab", TorrentUrl = "/t", Key = new string('f', 32), InfoHash = new string('b', 40) });
        Assert.Equal(new string('f', 32), merged.Key); // made by the server for the job it hands out now
        Assert.Equal(new string('a', 40), merged.InfoHash); // the boot menu's, like every kernel parameter
        var bad = Assert.Throws<JobConfigurationException>(() => local.WithJob(new JobDescription { Name = "lab", TorrentUrl = "/t", Key = "nope" }));
        Assert.StartsWith("job 'lab' from the server: key: 'nope'", Assert.Single(bad.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_job_from_the_server_is_reported_by_field()
    {
        var local = Read("ezio.server=10.0.0.1");
        var error = Assert.Throws<JobConfigurationException>(() => local.WithJob(new JobDescription { Name = "lab", TorrentUrl = "/t", After = "later" }));
        Assert.StartsWith("job 'lab' from the server: after: 'later'", Assert.Single(error.Problems), StringComparison.Ordinal);
        var missing = Assert.Throws<JobConfigurationException>(() => local.WithJob(new JobDescription { Name = "lab" }));
        Assert.Contains("has no torrentUrl", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Kernel_provider_ignores_other_parameters_and_strips_the_prefix()
    {
        var configuration = new ConfigurationBuilder().AddKernelCommandLineText(KernelCommandLineTests.Pxelinux).Build();
        Assert.Equal(["after", "disk", "job", "server"], configuration.GetChildren().Select(c => c.Key).Order(StringComparer.Ordinal));
        Assert.Equal("10.0.0.1", configuration["server"]);
        Assert.Null(configuration["BOOTIF"]);
    }

    [Fact]
    public void A_missing_cmdline_file_is_a_clear_error()
    {
        var error = Assert.Throws<JobConfigurationException>(() => ClientConfiguration.Build([], "/nonexistent/cmdline"));
        Assert.Contains("cannot read the kernel command line /nonexistent/cmdline", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_capture_job_reads_mode_image_and_overwrite_and_needs_no_job_from_the_server()
    {
        var settings = Read("quiet ezio.server=10.0.0.1:8080 ezio.mode=capture ezio.image=lab-2026 ezio.overwrite=yes ezio.disk=/dev/sda");
        Assert.Equal(JobMode.Capture, settings.ModeOrDefault);
        Assert.Equal("lab-2026", settings.Image);
        Assert.True(settings.OverwriteOrDefault);
        Assert.False(settings.NeedsJobFromServer);
        Assert.Equal(JobMode.Deploy, Read("ezio.server=10.0.0.1").ModeOrDefault);
        Assert.False(Read("ezio.server=10.0.0.1 ezio.mode=capture ezio.image=x").OverwriteOrDefault);

        Assert.Contains("ezio.mode=capture needs ezio.image=NAME", ReadFails("ezio.server=10.0.0.1 ezio.mode=capture").Message, StringComparison.Ordinal);
        Assert.Contains("ezio.mode=capture needs ezio.server", ReadFails("ezio.mode=capture ezio.image=x").Message, StringComparison.Ordinal);
        var bad = ReadFails("ezio.server=10.0.0.1 ezio.mode=clone ezio.image=a/b ezio.overwrite=maybe").Message;
        Assert.Contains("ezio.mode: 'clone' is not deploy or capture", bad, StringComparison.Ordinal);
        Assert.Contains("ezio.image: 'a/b' is not an image name", bad, StringComparison.Ordinal);
        Assert.Contains("ezio.overwrite: 'maybe' is not yes or no", bad, StringComparison.Ordinal);
    }

    [Fact]
    public void A_capture_job_from_the_server_fills_mode_and_image()
    {
        var merged = Read("ezio.server=10.0.0.1 ezio.job=golden").WithJob(new JobDescription { Name = "golden", Mode = "capture", Image = "golden", Overwrite = "no" });
        Assert.Equal(JobMode.Capture, merged.ModeOrDefault);
        Assert.Equal("golden", merged.Image);
        Assert.False(merged.OverwriteOrDefault);
        var missing = Assert.Throws<JobConfigurationException>(() => Read("ezio.server=10.0.0.1 ezio.job=golden").WithJob(new JobDescription { Name = "golden", Mode = "capture" }));
        Assert.Contains("is a capture but names no image", missing.Message, StringComparison.Ordinal);
    }
}

using EzioPxe.Contracts.Jobs;

namespace EzioPxe.Contracts.Tests.Jobs;

/// <summary>The one vocabulary of jobs: what server configuration and kernel command line both accept.</summary>
public class JobValueTests
{
    [Theory]
    [InlineData("auto")]
    [InlineData("/dev/sda")]
    [InlineData("/dev/sda2")]
    [InlineData("/dev/disk/by-path/pci-0000:00:1f.2-ata-1")]
    [InlineData("ata-ST500DM002_Z3T1")] // a bare /dev/disk/by-id name
    public void Disks_that_name_a_device(string text)
    {
        Assert.True(JobValues.TryParseDisk(text, out var disk, out var error), error);
        Assert.Equal(text, disk);
    }

    [Theory]
    [InlineData("")]
    [InlineData("disk/by-id/ata-X")] // relative path: neither a /dev path nor a bare name
    [InlineData("/dev/sd a")]
    [InlineData("/")]
    [InlineData("..")]
    public void Disks_that_cannot_be_resolved_are_refused(string text)
    {
        Assert.False(JobValues.TryParseDisk(text, out _, out var error));
        Assert.Contains($"'{text}'", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("reboot", AfterAction.Reboot)]
    [InlineData("Reboot", AfterAction.Reboot)]
    [InlineData("poweroff", AfterAction.PowerOff)]
    [InlineData("halt", AfterAction.PowerOff)]
    [InlineData("shell", AfterAction.Shell)]
    [InlineData("wait", AfterAction.Wait)]
    public void After_actions_any_case(string text, AfterAction expected)
    {
        Assert.True(AfterActions.TryParse(text, out var action, out _));
        Assert.Equal(expected, action);
        Assert.True(AfterActions.TryParse(AfterActions.Name(action), out var again, out _));
        Assert.Equal(action, again);
    }

    [Theory]
    [InlineData("trace", ClientLogLevel.Trace)]
    [InlineData("Information", ClientLogLevel.Info)]
    [InlineData("warn", ClientLogLevel.Warn)]
    public void Log_levels(string text, ClientLogLevel expected)
    {
        Assert.True(ClientLogLevels.TryParse(text, out var level, out _));
        Assert.Equal(expected, level);
    }

    [Theory]
    [InlineData("until-done")]
    [InlineData("none")]
    [InlineData("600")]
    public void Seed_policies_print_as_they_parse(string text)
    {
        Assert.True(SeedPolicy.TryParse(text, out var policy, out _));
        Assert.Equal(text, policy.ToString());
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("forever")]
    [InlineData("99999999999")]
    public void Bad_seed_policies_are_refused(string text)
    {
        Assert.False(SeedPolicy.TryParse(text, out _, out var error));
        Assert.Contains(text, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1", 1)]
    [InlineData("2", 2)]
    [InlineData("256", 256)]
    public void Partition_numbers_are_read(string text, int expected)
    {
        Assert.True(JobValues.TryParsePartition(text, out var number, out _));
        Assert.Equal(expected, number);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("257")]
    [InlineData("-1")]
    [InlineData(" 2")]
    [InlineData("sda2")]
    [InlineData("")]
    public void Bad_partition_numbers_are_refused(string text)
    {
        Assert.False(JobValues.TryParsePartition(text, out _, out var error));
        Assert.Contains("not a partition number", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_are_valid_values_of_the_vocabulary()
    {
        Assert.True(JobValues.TryParseDisk(JobDefaults.Disk, out _, out _));
        Assert.True(AfterActions.TryParse(AfterActions.Name(JobDefaults.After), out _, out _));
        Assert.True(SeedPolicy.TryParse(JobDefaults.Seed.ToString(), out _, out _));
    }
}

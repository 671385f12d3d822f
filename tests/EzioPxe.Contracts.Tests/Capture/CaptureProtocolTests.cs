using EzioPxe.Contracts.Capture;
using EzioPxe.Contracts.Jobs;

namespace EzioPxe.Contracts.Tests.Capture;

public sealed class CaptureProtocolTests
{
    [Fact]
    public void Extents_are_cut_into_ranges_of_at_most_the_maximum_in_disk_order()
    {
        const int max = CaptureProtocol.MaxRangeBytes;
        var ranges = CaptureProtocol.Ranges([new CaptureRange(512, 4096), new CaptureRange(1L << 30, 2L * max + 1000)]).ToList();
        Assert.Equal(
            [new CaptureRange(512, 4096), new CaptureRange(1L << 30, max), new CaptureRange((1L << 30) + max, max), new CaptureRange((1L << 30) + 2L * max, 1000)],
            ranges);
        Assert.Equal("captures/lab/ranges/1073741824", CaptureProtocol.RangePath("lab", 1L << 30));
    }

    [Theory]
    [InlineData("capture", JobMode.Capture)]
    [InlineData("Deploy", JobMode.Deploy)]
    public void Modes_parse_in_any_case(string text, JobMode mode)
    {
        Assert.True(JobModes.TryParse(text, out var parsed, out _));
        Assert.Equal(mode, parsed);
    }

    [Theory]
    [InlineData("yes", true)]
    [InlineData("TRUE", true)]
    [InlineData("0", false)]
    [InlineData("no", false)]
    public void Overwrite_is_yes_or_no(string text, bool value)
    {
        Assert.True(JobValues.TryParseYesNo(text, out var parsed, out _));
        Assert.Equal(value, parsed);
        Assert.False(JobValues.TryParseYesNo("maybe", out _, out var error));
        Assert.Equal("'maybe' is not yes or no", error);
    }
}

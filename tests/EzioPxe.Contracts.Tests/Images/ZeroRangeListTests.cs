using EzioPxe.Contracts.Images;
using EzioPxe.Engine.Metainfo;

namespace EzioPxe.Contracts.Tests.Images;

public class ZeroRangeListTests
{
    [Fact]
    public void Ranges_round_trip_as_16_big_endian_bytes_each()
    {
        var ranges = new List<DiskRange> { new(0, 512), new(0x10_0000, 0x2000), new((1L << 40) + 4096, 1L << 33) };
        var bytes = ZeroRangeList.Encode(ranges);
        Assert.Equal(48, bytes.Length);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0 }, bytes[16..32]);
        Assert.Equal(ranges, ZeroRangeList.Decode(bytes));
        Assert.Empty(ZeroRangeList.Decode([]));
    }

    [Theory]
    [InlineData(new long[] { 0, 512, 512, 512 }, "touch")] // touching ranges must have been merged
    [InlineData(new long[] { 4096, 512, 0, 512 }, "out of order")]
    [InlineData(new long[] { 0, 1024, 512, 512 }, "overlap")]
    [InlineData(new long[] { 100, 512 }, "aligned")]
    [InlineData(new long[] { 0, 0 }, "empty")]
    [InlineData(new long[] { long.MaxValue - 511, 1024 }, "2^63")]
    public void A_bad_list_is_refused_naming_the_key(long[] pairs, string why)
    {
        var ranges = Enumerable.Range(0, pairs.Length / 2).Select(i => new DiskRange(pairs[2 * i], pairs[2 * i + 1])).ToList();
        var error = Assert.Throws<InvalidTorrentException>(() => ZeroRangeList.Decode(ZeroRangeList.Encode(ranges)));
        Assert.Contains(ImageInfoKeys.Zero, error.Message, StringComparison.Ordinal);
        Assert.Contains(why, error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidTorrentException>(() => ZeroRangeList.Decode(new byte[17]));
    }
}

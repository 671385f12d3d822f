using EzioPxe.Client.Deployment;
using EzioPxe.TestSupport;

namespace EzioPxe.Client.Tests.Deployment;

public class PieceMemoryTests
{
    private const long MiB = 1024 * 1024;
    private const long GiB = 1024 * MiB;

    [Fact]
    public void Small_pieces_keep_the_minimums_and_large_ones_get_96_and_48_pieces()
    {
        Assert.Equal((48 * MiB, 24 * MiB), PieceMemory.For(256 * 1024, 4 * GiB));
        Assert.Equal((96 * MiB, 48 * MiB), PieceMemory.For(1 * MiB, 4 * GiB));
        Assert.Equal((384 * MiB, 192 * MiB), PieceMemory.For(4 * MiB, 4 * GiB));
        Assert.Equal((384 * MiB, 192 * MiB), PieceMemory.For(4 * MiB, availableBytes: null));
    }

    [Fact]
    public void A_quarter_of_the_available_memory_caps_both_but_never_below_the_minimums()
    {
        // 16 MiB pieces on a 2 GiB machine: 1.5 GiB + 768 MiB would not fit; a quarter of 1.8 GiB does.
        var (download, cache) = PieceMemory.For(16 * MiB, 1843 * MiB);
        Assert.Equal(1843 * MiB / 4, download + cache, tolerance: 3);
        Assert.True(download > cache && download >= 48 * MiB && cache >= 24 * MiB, $"{download} + {cache}");
        // A 512 MiB virtual machine keeps what the client always had.
        Assert.Equal((48 * MiB, 24 * MiB), PieceMemory.For(4 * MiB, 200 * MiB));
    }

    [Fact]
    public void Available_memory_is_read_from_meminfo_and_a_file_without_it_gives_none()
    {
        using var temp = new TempDirectory("meminfo");
        File.WriteAllText(temp.File("meminfo"), "MemTotal:        8000000 kB\nMemFree:         1000000 kB\nMemAvailable:    3785436 kB\nBuffers:           1 kB\n");
        Assert.Equal(3785436L * 1024, PieceMemory.Available(temp.File("meminfo")));
        File.WriteAllText(temp.File("old"), "MemTotal:        8000000 kB\nMemFree:         1000000 kB\n");
        Assert.Null(PieceMemory.Available(temp.File("old")));
        Assert.Null(PieceMemory.Available(temp.File("missing")));
        // This machine's own /proc/meminfo has it.
        Assert.True(PieceMemory.Available() > 0);
    }
}

using EzioPxe.Imaging.FileSystems;
using EzioPxe.TestSupport;
using EzioPxe.TestSupport.Fuzzing;

namespace EzioPxe.Imaging.Tests;

/// <summary>
/// The partition-table and file-system scanners on mutated disk images: a GPT disk and an MBR disk,
/// each with a FAT16 and an ext4 partition made by mkfs, are damaged where the scanners read (the
/// partition table, the backup GPT, the first 64 KiB of each file system) and scanned. A scan
/// either succeeds (keeping what it cannot trust whole, with a note) or raises DiskFormatException;
/// nothing else escapes, and every extent stays inside the disk.
/// </summary>
[Trait("Category", "Fuzz")]
public sealed class ScannerFuzzTests
{
    private const long DiskSize = 48L << 20;

    private static string MakeDisk(TempDirectory temp, string label)
    {
        var path = temp.File($"{label}.img");
        using var disk = TestDisk.Create(path, DiskSize, $"label: {label}\n,16M,L\n,,L\n");
        Place(disk, 1, temp, length => Tool.Run("mkfs.vfat", "-F", "16", temp.File("part.img")).EnsureSuccess("mkfs.vfat"));
        Place(disk, 2, temp, length => Tool.Run("mkfs.ext4", "-q", "-F", temp.File("part.img")).EnsureSuccess("mkfs.ext4"));
        return path;
    }

    /// <summary>Makes a file system in a file of the partition's size and writes it into the disk image.</summary>
    private static void Place(TestDisk disk, int number, TempDirectory temp, Action<long> make)
    {
        var (start, length) = disk.Partition(number);
        using (var part = File.Create(temp.File("part.img")))
        {
            part.SetLength(length);
        }
        make(length);
        using var source = File.OpenRead(temp.File("part.img"));
        using var target = new FileStream(disk.ImagePath, FileMode.Open, FileAccess.Write);
        target.Position = start;
        source.CopyTo(target);
    }

    [Theory]
    [InlineData("gpt", 1409)]
    [InlineData("dos", 1410)]
    public void Mutated_disks_scan_or_raise_disk_format_exception_only(string label, int testSeed)
    {
        using var temp = new TempDirectory("scan-fuzz");
        var path = MakeDisk(temp, label);
        var clean = DiskScanner.Scan(path);
        Assert.Equal([FileSystemKind.Fat16, FileSystemKind.Ext4], clean.Partitions.Select(p => p.FileSystem));
        var regions = new List<(long Start, long Length)> { (0, 34 * 512), (DiskSize - 33 * 512, 33 * 512) };
        regions.AddRange(clean.Partitions.Select(p => (p.Start, Math.Min(64L * 1024, p.Length))));

        var seed = FuzzBudget.Seed(testSeed);
        var mutator = new Mutator(seed);
        var outcomes = new Dictionary<string, int>();
        var iterations = FuzzBudget.Iterations(150);
        using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        for (var i = 0; i < iterations; i++)
        {
            var (start, length) = regions[mutator.Random.Next(regions.Count)];
            var original = new byte[length];
            file.Position = start;
            file.ReadExactly(original);
            // In place and the same length: a disk's structures sit at fixed offsets.
            var mutated = mutator.Mutate(original, maxMutations: 6);
            Array.Resize(ref mutated, original.Length);
            file.Position = start;
            file.Write(mutated);
            file.Flush();
            try
            {
                var scan = DiskScanner.Scan(path);
                Assert.All(scan.Extents, e => Assert.True(e.Offset >= 0 && e.End <= DiskSize, $"extent {e.Offset}+{e.Length} outside the disk"));
                var outcome = scan.Partitions.Count(p => p.FileSystem != FileSystemKind.Unknown && !p.KeptWhole) switch
                {
                    2 => "both file systems read",
                    1 => "one file system read",
                    _ => scan.Partitions.Count > 0 ? "partitions kept whole" : "no partition table",
                };
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }
            catch (DiskFormatException)
            {
                outcomes["DiskFormatException"] = outcomes.GetValueOrDefault("DiskFormatException") + 1;
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                Assert.Fail($"seed {seed}, input {i}: bytes {start}..{start + length} mutated, scan threw {e}");
            }
            finally
            {
                file.Position = start;
                file.Write(original);
                file.Flush();
            }
        }
        var summary = string.Join(", ", outcomes.Select(o => $"{o.Key} {o.Value}"));
        // How far the mutants got: most still reach a file-system scanner, some are refused or kept whole.
        Assert.True(outcomes.GetValueOrDefault("both file systems read") + outcomes.GetValueOrDefault("one file system read") > iterations / 4, $"seed {seed}: {summary}");
        Assert.True(outcomes.Count >= 2, $"every mutant had the same outcome (seed {seed}): {summary}");
    }
}

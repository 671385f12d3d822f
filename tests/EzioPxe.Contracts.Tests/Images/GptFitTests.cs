using System.Buffers.Binary;
using EzioPxe.Contracts.Images;
using EzioPxe.Engine.Metainfo;

namespace EzioPxe.Contracts.Tests.Images;

/// <summary>GptFit against a header made by sgdisk (the real tool), on a target of the same size and a larger one.</summary>
public class GptFitTests
{
    private const long Size = 64L << 20;

    private static (byte[] Disk, byte[] Header) SgdiskDisk()
    {
        var path = Path.Combine(Path.GetTempPath(), "gptfit-" + Guid.NewGuid().ToString("n") + ".img");
        try
        {
            using (var file = File.Create(path))
            {
                file.SetLength(Size);
            }
            var sgdisk = System.Diagnostics.Process.Start("sgdisk", ["-n1:2048:+16M", "-n2:0:0", path])!;
            sgdisk.WaitForExit();
            Assert.Equal(0, sgdisk.ExitCode);
            var disk = File.ReadAllBytes(path);
            var headerSize = BinaryPrimitives.ReadInt32LittleEndian(disk.AsSpan(512 + 12));
            return (disk, disk.AsSpan(512, headerSize).ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void On_a_target_of_the_golden_size_both_headers_are_the_golden_ones()
    {
        var (disk, header) = SgdiskDisk();
        var fit = GptFit.For(header, Size);
        Assert.Equal(0, fit.GrowthSectors);
        Assert.Equal(disk.AsSpan(512, 512).ToArray(), fit.PrimaryHeader);
        Assert.Equal(disk.AsSpan((int)Size - 512, 512).ToArray(), fit.BackupHeader);
        Assert.Equal(Size / 512 - 1, fit.BackupHeaderLba);
        Assert.Equal(Size / 512 - 33, fit.BackupEntriesLba);
        Assert.Equal(2, fit.PrimaryEntriesLba);
        Assert.Equal(Crc32.Compute(disk.AsSpan(1024, (int)fit.EntriesBytes)), fit.EntriesCrc);
    }

    [Fact]
    public void On_a_larger_target_the_backup_moves_to_its_end_and_the_usable_space_grows_with_it()
    {
        var (_, header) = SgdiskDisk();
        var target = Size + (1L << 30);
        var fit = GptFit.For(header, target);
        Assert.Equal((1L << 30) / 512, fit.GrowthSectors);
        Assert.Equal(target / 512 - 1, fit.BackupHeaderLba);
        Assert.Equal(target / 512 - 34, fit.LastUsableLba); // what sgdisk -e gives
        Assert.Equal(target / 512 - 1, BinaryPrimitives.ReadInt64LittleEndian(fit.PrimaryHeader.AsSpan(32)));
        Assert.Equal(target / 512 - 1, BinaryPrimitives.ReadInt64LittleEndian(fit.BackupHeader.AsSpan(24)));
        Assert.Equal(1, BinaryPrimitives.ReadInt64LittleEndian(fit.BackupHeader.AsSpan(32)));
        Assert.Equal(target / 512 - 33, BinaryPrimitives.ReadInt64LittleEndian(fit.BackupHeader.AsSpan(72)));
        Assert.Null(GptFit.Check(fit.PrimaryHeader.AsSpan(0, header.Length))); // CRC recomputed
    }

    [Fact]
    public void A_smaller_target_or_a_damaged_header_is_refused()
    {
        var (_, header) = SgdiskDisk();
        Assert.Contains("target's last LBA", Assert.Throws<InvalidTorrentException>(() => GptFit.For(header, Size - 512)).Message, StringComparison.Ordinal);
        header[40] ^= 1;
        Assert.Contains("CRC", Assert.Throws<InvalidTorrentException>(() => GptFit.For(header, Size)).Message, StringComparison.Ordinal);
    }
}

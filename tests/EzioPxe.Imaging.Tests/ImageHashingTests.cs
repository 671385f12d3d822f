using System.Buffers.Binary;
using System.Security.Cryptography;
using EzioPxe.Imaging.Hashing;
using EzioPxe.TestSupport;
using EzioPxe.TestSupport.Disks;

namespace EzioPxe.Imaging.Tests;

/// <summary>
/// Scanning and hashing in one read (<see cref="ImageHashing"/>) must give exactly what scanning
/// and then hashing the kept extents gives: the same plan, the same piece hashes. Where one read
/// cannot (regions that overlap, a piece length the zero runs change), it reads twice, and says so.
/// </summary>
[Trait("Needs", "root")]
public sealed class ImageHashingTests
{
    [Fact]
    public void One_read_gives_the_plan_and_hashes_of_scanning_then_hashing()
    {
        using var temp = new TempDirectory("img-onepass");
        // ext4 with files and a zeroed file (zero runs inside used blocks), an unknown partition
        // with data between zero gaps shorter and longer than a cut, a boot loader in the gap, and
        // the GPT header sectors (read with the boot regions, but they do not travel).
        using var disk = TestDisk.Create(temp.File("disk.img"), 96L << 20, "label: gpt\n,48M,L\n,24M,L\n");
        var device = disk.AttachPartition(1);
        TestFileSystems.MakeMounted(device, ["mkfs.ext4", "-q", "-F"], temp.File("mnt"), mount =>
        {
            TestFiles.Write(Path.Combine(mount, "dir"), seed: 3);
            File.WriteAllBytes(Path.Combine(mount, "zeros.bin"), new byte[3 << 20]);
            return 0;
        });
        disk.Detach(device);
        var (unknown, _) = disk.Partition(2);
        DiskBytes.WriteRandom(disk.ImagePath, unknown, 100_000, seed: 4);
        DiskBytes.WriteRandom(disk.ImagePath, unknown + 108_000, 5_000, seed: 5); // after a gap too short to cut
        DiskBytes.WriteRandom(disk.ImagePath, unknown + (1 << 20), 70_000, seed: 6); // after a long one
        DiskBytes.WriteRandom(disk.ImagePath, 64 << 10, 8 << 10, seed: 7);

        using var image = DiskImage.Open(disk.ImagePath);
        foreach (var fixedLength in new int?[] { null, 64 << 10, 16 << 10 })
        {
            var hashed = ImageHashing.ScanAndHash(image, fixedLength);
            Assert.True(hashed.OnePass);
            AssertSameAsTwoReads(image, hashed);
        }
    }

    [Fact]
    public void Overlapping_partitions_are_hashed_in_a_second_read()
    {
        using var temp = new TempDirectory("img-overlap");
        var path = temp.File("disk.img");
        using (var file = File.Create(path))
        {
            file.SetLength(32L << 20);
        }
        // A damaged MBR: partition 2 starts inside partition 1. Neither holds a filesystem, so
        // both are kept whole minus zeros, and the bytes they share are read by both.
        var mbr = new byte[512];
        WriteEntry(mbr, 0, startSector: 2048, sectors: 16384);
        WriteEntry(mbr, 1, startSector: 8192, sectors: 16384);
        mbr[510] = 0x55;
        mbr[511] = 0xAA;
        using (var file = File.OpenWrite(path))
        {
            file.Write(mbr);
        }
        DiskBytes.WriteRandom(path, 2048 * 512, 6 << 20, seed: 8);

        using var image = DiskImage.Open(path);
        var hashed = ImageHashing.ScanAndHash(image);
        Assert.False(hashed.OnePass);
        AssertSameAsTwoReads(image, hashed);
    }

    [Fact]
    public void A_piece_length_the_zero_runs_change_is_hashed_in_a_second_read()
    {
        using var temp = new TempDirectory("img-relength");
        using var disk = DiskWithDataInAnUnknownPartition(temp, seed: 9, out var start);
        // Stored but zero: the metadata counts it, the scan cuts it out.
        using (var file = File.OpenWrite(disk.ImagePath))
        {
            file.Position = start + (2 << 20);
            file.Write(new byte[4 << 20]);
        }
        static int Rule(long bytes) => bytes > 3 << 20 ? 128 << 10 : 32 << 10;

        using var image = DiskImage.Open(disk.ImagePath);
        var hashed = ImageHashing.ScanAndHash(image, pieceLength: null, Rule, progress: null, CancellationToken.None);
        Assert.False(hashed.OnePass);
        Assert.Equal(32 << 10, hashed.PieceLength);
        AssertSameAsTwoReads(image, hashed);
    }

    /// <summary>A capture the server gives up on (it stops) must not read the rest of the disk first.</summary>
    [Fact]
    public void A_cancelled_scan_stops_at_its_next_read()
    {
        using var temp = new TempDirectory("img-cancel");
        using var disk = DiskWithDataInAnUnknownPartition(temp, seed: 11, out _);
        using var image = DiskImage.Open(disk.ImagePath);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => ImageHashing.ScanAndHash(image, cancellationToken: cancelled.Token));
    }

    [Fact]
    public void The_streaming_hasher_hashes_pieces_across_data_and_zeros_given_in_order()
    {
        var random = new Random(10);
        var content = new byte[5 * 1024 * 1024 + 777];
        random.NextBytes(content);
        const int pieceLength = 256 << 10;
        using var hasher = new StreamingPieceHasher(pieceLength);
        var offset = 1000L;
        var at = 0;
        while (at < content.Length)
        {
            var count = Math.Min(content.Length - at, random.Next(1, 300_000));
            if (random.Next(3) == 0)
            {
                content.AsSpan(at, count).Clear();
                hasher.Zeros(offset, count);
            }
            else
            {
                hasher.Data(offset, content.AsSpan(at, count));
            }
            offset += count + random.Next(0, 5000); // gaps between extents are not content
            at += count;
        }
        var expected = Enumerable.Range(0, (content.Length + pieceLength - 1) / pieceLength)
            .SelectMany(i => SHA1.HashData(content.AsSpan(i * pieceLength, Math.Min(pieceLength, content.Length - i * pieceLength))))
            .ToArray();
        Assert.Equal(expected, hasher.Complete());
        Assert.Throws<InvalidOperationException>(() => hasher.Data(offset, new byte[1]));
    }

    [Fact]
    public void The_streaming_hasher_refuses_bytes_out_of_disk_order()
    {
        using var hasher = new StreamingPieceHasher(64 << 10);
        hasher.Data(4096, new byte[4096]);
        Assert.Throws<InvalidOperationException>(() => hasher.Zeros(6000, 10));
    }

    /// <summary>A 16 MiB GPT disk whose 8 MiB partition holds no filesystem, with 1 MiB of random bytes at its <paramref name="start"/>.</summary>
    private static TestDisk DiskWithDataInAnUnknownPartition(TempDirectory temp, int seed, out long start)
    {
        var disk = TestDisk.Create(temp.File("disk.img"), 16L << 20, "label: gpt\n,8M,L\n");
        (start, _) = disk.Partition(1);
        DiskBytes.WriteRandom(disk.ImagePath, start, 1 << 20, seed);
        return disk;
    }

    private static void AssertSameAsTwoReads(DiskImage image, HashedScan hashed)
    {
        var scan = DiskScanner.Scan(image);
        Assert.Equal(scan.Extents, hashed.Scan.Extents);
        Assert.Equal(scan.ZeroExtents, hashed.Scan.ZeroExtents);
        Assert.Equal(scan.Partitions.Select(p => (p.Index, p.UsedBytes, p.KeptWhole)), hashed.Scan.Partitions.Select(p => (p.Index, p.UsedBytes, p.KeptWhole)));
        Assert.Equal(scan.AllNotes, hashed.Scan.AllNotes);
        Assert.Equal(ExtentHasher.ComputePieceHashes(image, scan.Extents, hashed.PieceLength), hashed.PieceHashes);
    }

    private static void WriteEntry(byte[] mbr, int index, uint startSector, uint sectors)
    {
        var entry = mbr.AsSpan(446 + 16 * index, 16);
        entry[4] = 0x83;
        BinaryPrimitives.WriteUInt32LittleEndian(entry[8..], startSector);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[12..], sectors);
    }
}

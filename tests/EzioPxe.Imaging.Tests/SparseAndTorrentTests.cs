using EzioPxe.Contracts.Images;
using EzioPxe.Server.Cli;
using EzioPxe.Imaging;
using EzioPxe.Imaging.Extents;
using EzioPxe.Imaging.Hashing;
using EzioPxe.Imaging.Torrent;
using EzioPxe.TestSupport;
using EzioPxe.TestSupport.Disks;

namespace EzioPxe.Imaging.Tests;

[Trait("Needs", "root")]
public sealed class SparseAndTorrentTests
{
    /// <summary>
    /// A 1 TiB sparse image whose one partition has no filesystem we know: keeping it "whole
    /// minus zeros" would mean reading a terabyte, unless the holes are skipped via SEEK_DATA.
    /// The test finishing at all (in well under a second of I/O) shows they are.
    /// </summary>
    [Fact]
    public void Holes_of_a_sparse_terabyte_image_are_not_read()
    {
        using var temp = new TempDirectory("img-sparse");
        using var disk = TestDisk.Create(temp.File("huge.img"), 1L << 40, "label: gpt\n,,L\n");
        DiskBytes.WriteRandom(disk.ImagePath, 700L << 30, 1 << 20, seed: 9);

        using var image = DiskImage.Open(disk.ImagePath);
        Assert.True(image.StoredBytes < 16 << 20, $"{image.StoredBytes} bytes stored");
        var scan = DiskScanner.Scan(image);
        var partition = Assert.Single(scan.Partitions);
        Assert.True(partition.KeptWhole);
        Assert.Equal(1 << 20, partition.UsedBytes);
        Assert.Contains(new Extent(700L << 30, 1 << 20), scan.Extents);
        Assert.Equal(1L << 40, scan.DiskSize);
        // Everything that travels: the random MiB plus the GPT structures at both ends.
        Assert.True(scan.UsedBytes < (1 << 20) + (64 << 10), $"{scan.UsedBytes}");
    }

    [Fact]
    public void Piece_size_follows_the_image_size()
    {
        Assert.Equal(256 * 1024, PieceLength.Choose(10L << 20));
        Assert.Equal(256 * 1024, PieceLength.Choose(1000L << 20));
        Assert.Equal(4 << 20, PieceLength.Choose(10L << 30));
        Assert.Equal(16 << 20, PieceLength.Choose(500L << 30));
        for (var size = 1L << 20; size < 1L << 40; size *= 3)
        {
            var piece = PieceLength.Choose(size);
            Assert.True((piece & (piece - 1)) == 0 && piece >= 256 * 1024 && piece <= 16 << 20);
            Assert.True(size / piece <= 4000 || piece == 16 << 20);
        }
        Assert.Equal(4 << 20, PieceLength.Parse("4M"));
        Assert.Equal(256 * 1024, PieceLength.Parse("256KiB"));
        Assert.Equal(1 << 20, PieceLength.Parse("1048576"));
        Assert.Throws<FormatException>(() => PieceLength.Parse("3M"));
        Assert.Throws<FormatException>(() => PieceLength.Parse("1K"));
        Assert.Throws<FormatException>(() => PieceLength.Parse("lots"));
    }

    /// <summary>A blank disk (no table, every byte zero) has nothing to send: a clear error, and no torrent.</summary>
    [Fact]
    public void Image_create_of_a_blank_disk_says_there_is_nothing_to_send_and_writes_no_torrent()
    {
        using var temp = new TempDirectory("img-blank");
        using (var file = File.Create(temp.File("blank.img")))
        {
            file.SetLength(8L << 20);
        }
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = ImageCommands.Create(new[] { temp.File("blank.img"), "--output", temp.File("blank.torrent") }, output, error);

        Assert.Equal(1, exit);
        Assert.Contains("nothing to send: every byte of the disk is unused or zero", error.ToString(), StringComparison.Ordinal);
        Assert.Contains("Scanned and hashed", output.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(temp.File("blank.torrent")));
    }

    [Fact]
    public void File_names_are_32_digit_lower_case_hex_offsets()
    {
        Assert.Equal("00000000000000000000000000100000", ExtentName.Format(1 << 20));
        Assert.Equal("000000000000000000000000ffffffff", ExtentName.Format(0xFFFFFFFFL));
        Assert.True(ExtentName.TryParse("000000000000000000000000000abc00", out var offset));
        Assert.Equal(0xabc00, offset);
        Assert.False(ExtentName.TryParse("partition.img", out _));
    }

    /// <summary>
    /// An independent BitTorrent implementation (libtorrent, via python3-libtorrent) checks the
    /// torrent against the extents saved as files by their names: every piece must verify.
    /// </summary>
    [Fact]
    public void Libtorrent_verifies_every_piece_against_the_extents_saved_as_files()
    {
        using var temp = new TempDirectory("img-lt");
        using var disk = TestDisk.Create(temp.File("disk.img"), 64L << 20, "label: dos\n,,83\n");
        var device = disk.AttachPartition(1);
        Tool.Run("mkfs.ext4", "-q", "-F", device).EnsureSuccess("mkfs.ext4");
        var mount = disk.Mount(device, temp.File("mnt"));
        TestFiles.Write(Path.Combine(mount, "d"), seed: 11);
        disk.Unmount(mount);
        disk.Detach(device);

        var torrentPath = temp.File("lab.torrent");
        Assert.Equal(0, ImageCommands.Create(new[] { disk.ImagePath, "--name", "lab", "--piece-size", "64K", "--output", torrentPath }, new StringWriter(), new StringWriter()));
        var torrent = Engine.Metainfo.Torrent.Load(torrentPath);
        Assert.True(torrent.Info.Files.Count > 3);
        var directory = Directory.CreateDirectory(temp.File(Path.Combine("save", "lab"))).FullName;
        using (var source = File.OpenHandle(disk.ImagePath))
        {
            foreach (var file in torrent.Info.Files)
            {
                Assert.True(ExtentName.TryParse(file.Path, out var offset));
                var data = new byte[file.Length];
                RandomAccess.Read(source, data, offset);
                File.WriteAllBytes(Path.Combine(directory, file.Path), data);
            }
        }
        const string script = """
            import sys, time, libtorrent as lt
            info = lt.torrent_info(sys.argv[1])
            session = lt.session({'enable_dht': False, 'enable_lsd': False, 'enable_upnp': False, 'enable_natpmp': False, 'listen_interfaces': '127.0.0.1:0'})
            handle = session.add_torrent({'ti': info, 'save_path': sys.argv[2]})
            for _ in range(600):
                status = handle.status()
                if status.state not in (lt.torrent_status.checking_files, lt.torrent_status.checking_resume_data) and status.progress_ppm > 0 or status.is_seeding:
                    break
                time.sleep(0.05)
            status = handle.status()
            print(f"pieces {sum(status.pieces)}/{info.num_pieces()} seeding={status.is_seeding} private={info.priv()}")
            """;
        File.WriteAllText(temp.File("check.py"), script);
        var result = Tool.Run("/usr/bin/python3", temp.File("check.py"), torrentPath, temp.File("save")).EnsureSuccess("libtorrent check");
        Assert.Contains($"pieces {torrent.Info.PieceCount}/{torrent.Info.PieceCount} seeding=True private=True", result.StandardOutput, StringComparison.Ordinal);
    }
}

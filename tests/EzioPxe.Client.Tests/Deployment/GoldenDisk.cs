using System.Globalization;
using System.Text.Json;
using EzioPxe.TestSupport;
using EzioPxe.TestSupport.Disks;

namespace EzioPxe.Client.Tests.Deployment;

/// <summary>
/// A small lab PC's disk as an image file, made by the real tools: GPT (sgdisk) with a BIOS boot
/// partition holding a "boot loader" with zero runs inside, a FAT EFI system partition filled with
/// mtools, an ext4 root filled through a mount, a partition no scanner knows (data and zeros), and
/// unpartitioned space at the end. Partitions are reached through loop devices limited to them
/// (this host's loop driver makes no partition nodes).
/// </summary>
public sealed class GoldenDisk
{
    public const long Size = 96L << 20;
    public const int BiosBoot = 1, Esp = 2, Root = 3, Unknown = 4;

    private GoldenDisk(string directory, string path)
    {
        Directory = directory;
        ImagePath = path;
    }

    public string Directory { get; }

    public string ImagePath { get; }

    /// <summary>Relative path → SHA-256 of every file put on the ESP and the root.</summary>
    public Dictionary<string, string> EspFiles { get; } = new();

    public Dictionary<string, string> RootFiles { get; } = new();

    public static GoldenDisk Create(string directory)
    {
        var path = Path.Combine(directory, "golden.img");
        using (var file = File.Create(path))
        {
            file.SetLength(Size);
        }
        Tool.Run("sgdisk", "-n1:2048:+1M", "-t1:EF02", "-n2:0:+20M", "-t2:EF00", "-n3:0:+48M", "-t3:8300", "-n4:0:+8M", "-t4:8300", path).EnsureSuccess("sgdisk");
        var disk = new GoldenDisk(directory, path);
        var (bootStart, _) = disk.Partition(BiosBoot);
        // A boot loader: data, a zero run, data (GRUB's core.img has such runs), then zeros.
        DiskBytes.WriteRandom(path, bootStart, 8192, 1);
        DiskBytes.WriteRandom(path, bootStart + 16384, 4096, 2);
        var (unknownStart, _) = disk.Partition(Unknown);
        DiskBytes.WriteRandom(path, unknownStart + 4096, 12288, 3);
        DiskBytes.WriteRandom(path, unknownStart + (3 << 20), 1 << 20, 4);

        var esp = disk.Loop(path, Esp);
        try
        {
            var local = new Dictionary<string, string>();
            foreach (var (name, size, seed) in new[] { ("BOOTX64.EFI", 300_000, 10), ("grub.cfg", 700, 11) })
            {
                local[name] = Path.Combine(directory, name);
                disk.EspFiles["EFI/BOOT/" + name] = DiskBytes.WriteRandomFile(local[name], size, seed);
            }
            TestFileSystems.MakeFat(esp, ["mkfs.vfat", "-n", "ESP"], "EFI/BOOT", local);
        }
        finally
        {
            Detach(esp);
        }

        var root = disk.Loop(path, Root);
        try
        {
            TestFileSystems.MakeMounted(root, ["mkfs.ext4", "-q", "-F", "-L", "root"], Path.Combine(directory, "root"), mount =>
            {
                for (var i = 0; i < 12; i++)
                {
                    var name = $"etc/file{i}";
                    var local = Path.Combine(mount, name);
                    System.IO.Directory.CreateDirectory(Path.GetDirectoryName(local)!);
                    disk.RootFiles[name] = DiskBytes.WriteRandomFile(local, 1000 + i * 150_000, 100 + i);
                }
                return disk.RootFiles;
            });
        }
        finally
        {
            Detach(root);
        }
        return disk;
    }

    /// <summary>Byte start and length of partition <paramref name="number"/> of <paramref name="image"/> (default: the golden).</summary>
    public (long Start, long Length) Partition(int number, string? image = null)
    {
        var json = Tool.Run("sfdisk", "--json", image ?? ImagePath).EnsureSuccess("sfdisk --json").StandardOutput;
        using var doc = JsonDocument.Parse(json);
        var p = doc.RootElement.GetProperty("partitiontable").GetProperty("partitions")[number - 1];
        return (p.GetProperty("start").GetInt64() * 512, p.GetProperty("size").GetInt64() * 512);
    }

    /// <summary>A loop device onto partition <paramref name="number"/> of <paramref name="image"/> (laid out like the golden).</summary>
    public string Loop(string image, int number, bool readOnly = false)
    {
        var (start, length) = Partition(number);
        var arguments = new List<string> { "--find", "--show", "--offset", start.ToString(CultureInfo.InvariantCulture), "--sizelimit", length.ToString(CultureInfo.InvariantCulture) };
        if (readOnly)
        {
            arguments.Add("--read-only");
        }
        arguments.Add(image);
        return Tool.Run("losetup", arguments, TimeSpan.FromMinutes(1)).EnsureSuccess("losetup").StandardOutput.Trim();
    }

    public static void Detach(string loop) => Tool.Run("losetup", "--detach", loop);
}

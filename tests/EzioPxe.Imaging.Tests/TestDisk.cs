using System.Text.Json;
using EzioPxe.TestSupport;

namespace EzioPxe.Imaging.Tests;

/// <summary>
/// A sparse disk image file partitioned by sfdisk, with loop devices onto its partitions
/// (losetup --offset/--sizelimit: this host's loop driver does not create partition nodes with
/// --partscan). Every loop device and mount it made is undone on dispose.
/// </summary>
internal sealed class TestDisk : IDisposable
{
    private readonly List<string> _loops = new();
    private readonly List<string> _mounts = new();

    private TestDisk(string path) => ImagePath = path;

    public string ImagePath { get; }

    public static TestDisk Create(string path, long size, string? sfdiskScript)
    {
        using (var file = File.Create(path))
        {
            file.SetLength(size);
        }
        if (sfdiskScript != null)
        {
            Tool.Run("sfdisk", new[] { "-q", "--no-reread", "--no-tell-kernel", path }, TimeSpan.FromMinutes(1), standardInput: sfdiskScript)
                .EnsureSuccess("sfdisk");
        }
        return new TestDisk(path);
    }

    /// <summary>An existing image (e.g. a restored copy), for its partitions and loop devices.</summary>
    public static TestDisk Open(string path) => new(path);

    /// <summary>Byte start and length of partition <paramref name="number"/> (as sfdisk numbers them).</summary>
    public (long Start, long Length) Partition(int number)
    {
        var json = Tool.Run("sfdisk", "--json", ImagePath).EnsureSuccess("sfdisk --json").StandardOutput;
        using var doc = JsonDocument.Parse(json);
        foreach (var p in doc.RootElement.GetProperty("partitiontable").GetProperty("partitions").EnumerateArray())
        {
            var node = p.GetProperty("node").GetString()!;
            if (node.EndsWith(number.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)
                && !char.IsDigit(node[^(number.ToString(System.Globalization.CultureInfo.InvariantCulture).Length + 1)]))
            {
                return (p.GetProperty("start").GetInt64() * 512, p.GetProperty("size").GetInt64() * 512);
            }
        }
        throw new InvalidOperationException($"no partition {number} in {ImagePath}");
    }

    /// <summary>A loop device onto partition <paramref name="number"/>.</summary>
    public string AttachPartition(int number)
    {
        var (start, length) = Partition(number);
        return Attach(ImagePath, start, length);
    }

    /// <summary>A loop device onto the whole image.</summary>
    public string AttachWhole() => Attach(ImagePath, 0, 0);

    /// <summary>A loop device onto the whole image whose partitions the kernel knows (loopNp1, loopNp2, ...), as a client's disk has them.</summary>
    public string AttachWithPartitions() => Attach(ImagePath, 0, 0, partitions: true);

    public string Attach(string file, long offset, long length, bool partitions = false)
    {
        var args = new List<string> { "--find", "--show", "--offset", offset.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        if (partitions)
        {
            args.Add("--partscan");
        }
        if (length > 0)
        {
            args.AddRange(new[] { "--sizelimit", length.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }
        args.Add(file);
        var device = Tool.Run("losetup", args, TimeSpan.FromMinutes(1)).EnsureSuccess("losetup").StandardOutput.Trim();
        _loops.Add(device);
        return device;
    }

    public void Detach(string device)
    {
        Tool.Run("losetup", "-d", device);
        _loops.Remove(device);
    }

    /// <summary>Mounts with the kernel (ext) or with ntfs-3g (FUSE); returns the mount point.</summary>
    public string Mount(string device, string directory, string? type = null)
    {
        Directory.CreateDirectory(directory);
        var result = type == "ntfs-3g"
            ? Tool.Run("ntfs-3g", device, directory)
            : Tool.Run("mount", device, directory);
        result.EnsureSuccess($"mount {device}");
        _mounts.Add(directory);
        return directory;
    }

    public void Unmount(string directory)
    {
        Tool.Run("sync");
        Tool.Run("umount", directory).EnsureSuccess($"umount {directory}");
        _mounts.Remove(directory);
    }

    public void Dispose()
    {
        foreach (var mount in _mounts.AsEnumerable().Reverse().ToList())
        {
            Tool.Run("umount", "-l", mount);
        }
        foreach (var loop in _loops.ToList())
        {
            Tool.Run("losetup", "-d", loop);
        }
    }
}

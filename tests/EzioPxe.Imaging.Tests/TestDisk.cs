using System.Text.Json;
using EzioPxe.TestSupport;
using EzioPxe.TestSupport.Disks;

namespace EzioPxe.Imaging.Tests;

/// <summary>
/// A sparse disk image file partitioned by sfdisk, with loop devices onto its partitions
/// (losetup --offset/--sizelimit: this host's loop driver does not create partition nodes with
/// --partscan). Every loop device and mount it made is undone on dispose.
/// </summary>
internal sealed class TestDisk : IDisposable
{
    private readonly List<string> _loops = new();
    private readonly List<PrivateMount> _mounts = new();
    private readonly List<string> _visibleMounts = new();

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

    /// <summary>
    /// Mounts with the kernel (ext) or with ntfs-3g (FUSE) in a mount namespace of the mount's own
    /// (<see cref="PrivateMount"/>: no other process can keep the file system alive after
    /// <see cref="Unmount"/>); returns where this process reaches its files.
    /// </summary>
    public string Mount(string device, string directory, string? type = null)
    {
        var mount = PrivateMount.Mount(device, directory, type);
        _mounts.Add(mount);
        return mount.Path;
    }

    /// <summary>
    /// Mounts in the host's mount namespace, where every process sees it (a client that must
    /// refuse a mounted disk); any namespace made meanwhile may keep a copy, so the disk is not
    /// quiet after unmounting: use <see cref="Mount"/> for a disk whose bytes are compared later.
    /// </summary>
    public string MountForEveryone(string device, string directory)
    {
        Directory.CreateDirectory(directory);
        Tool.Run("mount", device, directory).EnsureSuccess($"mount {device}");
        _visibleMounts.Add(directory);
        return directory;
    }

    /// <summary>Unmounts what <see cref="Mount"/> or <see cref="MountForEveryone"/> mounted (its path or its directory).</summary>
    public void Unmount(string directory)
    {
        if (_mounts.FirstOrDefault(m => m.Path == directory || m.MountPoint == Path.GetFullPath(directory)) is { } mount)
        {
            mount.Unmount();
            mount.Dispose();
            _mounts.Remove(mount);
            return;
        }
        Tool.Run("umount", directory).EnsureSuccess($"umount {directory}");
        _visibleMounts.Remove(directory);
    }

    public void Dispose()
    {
        foreach (var mount in _mounts.AsEnumerable().Reverse())
        {
            mount.Dispose();
        }
        foreach (var mount in _visibleMounts.AsEnumerable().Reverse())
        {
            Tool.Run("umount", "-l", mount);
        }
        foreach (var loop in _loops.ToList())
        {
            Tool.Run("losetup", "-d", loop);
        }
    }
}

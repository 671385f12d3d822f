using System.Text;
using Tmds.Linux;

namespace EzioPxe.Client.Disk;

/// <summary>
/// The checks made before a byte is written: the target is big enough for the image, neither it
/// nor any of its partitions is mounted, a swap area or built upon (LVM, RAID), and the kernel
/// does not mark it read-only. Imaging a disk that a running system uses would destroy both.
/// </summary>
public sealed class DiskPreflight
{
    public string MountInfoPath { get; init; } = "/proc/self/mountinfo";

    public string SwapsPath { get; init; } = "/proc/swaps";

    /// <summary>Where the kernel lists block devices by major:minor.</summary>
    public string SysDevBlockRoot { get; init; } = "/sys/dev/block";

    /// <summary>Opens <paramref name="path"/> read-only and throws <see cref="DiskRefusedException"/> with every reason it must not be written.</summary>
    public void Check(string path, long requiredBytes, ImageTarget target = ImageTarget.Either)
    {
        using var device = BlockDevice.Open(path, writable: false);
        var problems = FindProblems(device, requiredBytes, target);
        if (problems.Count > 0)
        {
            throw new DiskRefusedException(path, problems);
        }
    }

    public List<(DiskRefusal Reason, string Why)> FindProblems(BlockDevice device, long requiredBytes, ImageTarget target = ImageTarget.Either)
    {
        var problems = new List<(DiskRefusal, string)>();
        // A regular file (a test, an image being prepared) can stand for either.
        var isPartition = device.IsBlockDevice && File.Exists(Path.Combine(SysDevBlockRoot, device.DeviceNumber.ToString(), "partition"));
        if (target == ImageTarget.Partition && device.IsBlockDevice && !isPartition)
        {
            problems.Add((DiskRefusal.WrongKind,
                "the image is a partition image (EZIO/Clonezilla-BT: its offsets are relative to a partition, it has no x-eziopxe-disk-size) but this is a whole disk, "
                + "whose partition table it would overwrite; name the partition: ezio.disk=/dev/sda2, or ezio.part=2 on the chosen disk"));
        }
        if (target == ImageTarget.WholeDisk && isPartition)
        {
            problems.Add((DiskRefusal.WrongKind,
                "the image is a whole disk with its partition table but this is a partition; name the whole disk (ezio.disk=auto or /dev/sda, without ezio.part)"));
        }
        if (device.Size < requiredBytes)
        {
            problems.Add((DiskRefusal.TooSmall,
                $"it is too small: {ByteSize.Format(device.Size)} ({device.Size} bytes) but the image needs {ByteSize.Format(requiredBytes)} ({requiredBytes} bytes)"));
        }
        if (!device.IsBlockDevice)
        {
            return problems;
        }

        var sysDir = Path.Combine(SysDevBlockRoot, device.DeviceNumber.ToString());
        if (device.IsReadOnly || ReadAttribute(sysDir, "ro") == "1")
        {
            problems.Add((DiskRefusal.ReadOnly,
                "it is read-only (the kernel reports ro=1: a write-protect switch, a read-only loop device, or blockdev --setro)"));
        }

        // The device itself and, for a whole disk, each of its partitions.
        var parts = new List<(string Name, DeviceNumber Number, string SysDir)> { (Path.GetFileName(device.Path), device.DeviceNumber, sysDir) };
        parts.AddRange(Partitions(sysDir));
        var byNumber = parts.ToDictionary(p => p.Number, p => p.Name);

        foreach (var mount in MountTable.ReadMountInfo(MountInfoPath))
        {
            // btrfs reports an anonymous device number in mountinfo, so also look at the source path.
            if (byNumber.TryGetValue(mount.Device, out var name) || (DeviceOf(mount.Source) is { } source && byNumber.TryGetValue(source, out name)))
            {
                problems.Add((DiskRefusal.Mounted, $"{Describe(name, device)} is mounted on {mount.MountPoint} ({mount.FileSystemType}); unmount it first"));
            }
        }
        foreach (var swap in MountTable.ReadSwaps(SwapsPath))
        {
            if (DeviceOf(swap) is { } number && byNumber.TryGetValue(number, out var name))
            {
                problems.Add((DiskRefusal.Swap, $"{Describe(name, device)} is an active swap area ({swap}); swapoff it first"));
            }
        }
        foreach (var (name, _, dir) in parts)
        {
            var holders = Directory.Exists(Path.Combine(dir, "holders")) ? Directory.EnumerateFileSystemEntries(Path.Combine(dir, "holders")).Select(Path.GetFileName).ToList() : [];
            if (holders.Count > 0)
            {
                problems.Add((DiskRefusal.Held, $"{Describe(name, device)} is part of {string.Join(", ", holders)} (LVM, RAID or encryption); stop that first"));
            }
        }
        return problems;
    }

    private static string Describe(string name, BlockDevice device) =>
        name == Path.GetFileName(device.Path) ? device.Path : $"its partition {name}";

    /// <summary>Partitions are the sub-directories of a disk's sysfs directory that have a "partition" attribute.</summary>
    private static IEnumerable<(string Name, DeviceNumber Number, string SysDir)> Partitions(string sysDir)
    {
        if (!Directory.Exists(sysDir))
        {
            yield break;
        }
        foreach (var dir in Directory.EnumerateDirectories(sysDir))
        {
            if (File.Exists(Path.Combine(dir, "partition")) && DeviceNumber.TryParse(ReadAttribute(dir, "dev") ?? "", out var number))
            {
                yield return (Path.GetFileName(dir), number, dir);
            }
        }
    }

    /// <summary>The major:minor of the block device at <paramref name="path"/>, or null when it is not one.</summary>
    private static unsafe DeviceNumber? DeviceOf(string path)
    {
        if (!path.StartsWith('/'))
        {
            return null;
        }
        var bytes = Encoding.UTF8.GetBytes(path + "\0");
        stat st;
        fixed (byte* p = bytes)
        {
            if (LibC.stat(p, &st) != 0 || !LibC.S_ISBLK(st.st_mode))
            {
                return null;
            }
        }
        return DeviceNumber.FromDevT(st.st_rdev);
    }

    private static string? ReadAttribute(string dir, string name)
    {
        try
        {
            return File.ReadAllText(Path.Combine(dir, name)).Trim();
        }
        catch (IOException)
        {
            return null;
        }
    }
}

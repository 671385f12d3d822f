using EzioPxe.Contracts.Jobs;

namespace EzioPxe.Client.Disk;

/// <summary>
/// Turns <c>ezio.disk</c> into a device path. "auto" takes the largest disk that can only be the
/// machine's own: not removable, not read-only, not empty, and not a loop, RAM, zram, md RAID,
/// device-mapper, floppy or optical device. The roots are parameters so that tests can point at
/// a fake /sys/block tree.
/// </summary>
public sealed class DiskSelector(string sysBlockRoot = "/sys/block", string devRoot = "/dev")
{
    public const string Auto = JobValues.AutoDisk;

    /// <summary>
    /// "auto" → <see cref="SelectAuto"/>; an absolute path as is; any other name is looked up
    /// in /dev/disk/by-id, /dev/disk/by-path and /dev, in that order.
    /// </summary>
    public string Resolve(string disk)
    {
        if (disk == Auto)
        {
            return SelectAuto().DevicePath;
        }
        if (disk.StartsWith('/'))
        {
            return disk;
        }
        string[] places = [Path.Combine(devRoot, "disk", "by-id"), Path.Combine(devRoot, "disk", "by-path"), devRoot];
        foreach (var place in places)
        {
            var path = Path.Combine(place, disk);
            if (File.Exists(path) || Directory.Exists(path))
            {
                return path;
            }
        }
        throw new DiskSelectionException($"disk '{disk}' is not in {string.Join(", ", places)}");
    }

    /// <summary>
    /// Partition <paramref name="number"/> of the disk at <paramref name="diskPath"/> (<c>ezio.part</c>):
    /// the sub-directory of the disk's /sys/block entry whose "partition" attribute is the number
    /// (sda2, nvme0n1p2, loop0p2), as a /dev path.
    /// </summary>
    public string ResolvePartition(string diskPath, int number)
    {
        // /dev/disk/by-id names are symlinks to the node whose name /sys/block uses.
        var name = Path.GetFileName((File.Exists(diskPath) ? new FileInfo(diskPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName : null) ?? diskPath);
        var dir = Path.Combine(sysBlockRoot, name);
        if (!Directory.Exists(dir))
        {
            throw new DiskSelectionException($"ezio.part={number}: {diskPath} is not a whole disk in {sysBlockRoot}");
        }
        var text = number.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var partitions = Directory.EnumerateDirectories(dir).Where(d => File.Exists(Path.Combine(d, "partition"))).ToList();
        var match = partitions.FirstOrDefault(d => ReadAttribute(d, "partition") == text);
        if (match == null)
        {
            var have = partitions.Count == 0 ? "none" : string.Join(", ", partitions.Select(Path.GetFileName).Order(StringComparer.Ordinal));
            throw new DiskSelectionException($"ezio.part={number}: {diskPath} has no partition {number} (its partitions: {have})");
        }
        return Path.Combine(devRoot, Path.GetFileName(match));
    }

    /// <summary>The largest eligible disk; ties go to the first name in order (sda before sdb).</summary>
    public DiskCandidate SelectAuto()
    {
        var candidates = Candidates();
        var chosen = candidates.Where(c => c.Rejected == null).OrderByDescending(c => c.Size).ThenBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault();
        if (chosen != null)
        {
            return chosen;
        }
        var seen = candidates.Count == 0 ? "nothing in " + sysBlockRoot : string.Join("; ", candidates);
        throw new DiskSelectionException($"ezio.disk=auto found no disk to write to ({seen})");
    }

    /// <summary>Every entry of /sys/block with its size and, if not eligible, the reason.</summary>
    public List<DiskCandidate> Candidates()
    {
        if (!Directory.Exists(sysBlockRoot))
        {
            return [];
        }
        // /sys/block holds symlinks to directories; enumerate names, not directory entries.
        return Directory.EnumerateFileSystemEntries(sysBlockRoot)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Order(StringComparer.Ordinal)
            .Select(Describe)
            .ToList();
    }

    private DiskCandidate Describe(string name)
    {
        var dir = Path.Combine(sysBlockRoot, name);
        // "size" is always in 512-byte sectors, whatever the device's block size.
        var size = long.TryParse(ReadAttribute(dir, "size"), out var sectors) ? sectors * 512 : 0;
        return new DiskCandidate(name, Path.Combine(devRoot, name), size, Reject(name, dir, size));
    }

    private static string? Reject(string name, string dir, long size)
    {
        var major = DeviceNumber.TryParse(ReadAttribute(dir, "dev") ?? "", out var number) ? number.Major : 0;
        if (name.StartsWith("loop", StringComparison.Ordinal) || major == 7)
        {
            return "a loop device";
        }
        if (name.StartsWith("zram", StringComparison.Ordinal))
        {
            return "a compressed RAM disk (zram)";
        }
        if (name.StartsWith("ram", StringComparison.Ordinal) || major == 1)
        {
            return "a RAM disk";
        }
        if (name.StartsWith("md", StringComparison.Ordinal) || major == 9)
        {
            return "a software RAID (md) device";
        }
        if (name.StartsWith("dm-", StringComparison.Ordinal))
        {
            return "a device-mapper volume (LVM or encryption)";
        }
        if (name.StartsWith("fd", StringComparison.Ordinal) || major == 2)
        {
            return "a floppy drive";
        }
        // SCSI peripheral type 5 is a CD/DVD drive (SPC-4); sr* have major 11.
        if (name.StartsWith("sr", StringComparison.Ordinal) || major == 11 || ReadAttribute(dir, "device/type") == "5")
        {
            return "an optical drive";
        }
        if (ReadAttribute(dir, "removable") == "1")
        {
            return "removable";
        }
        if (ReadAttribute(dir, "ro") == "1")
        {
            return "read-only";
        }
        if (size == 0)
        {
            return "empty (no medium)";
        }
        return null;
    }

    private static string? ReadAttribute(string dir, string attribute)
    {
        try
        {
            return File.ReadAllText(Path.Combine(dir, attribute)).Trim();
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}

namespace EzioPxe.TestSupport.Disks;

/// <summary>
/// File systems made and filled by the real tools on a block device (a loop device onto a
/// partition): FAT through mtools, which needs no mount; ext2/3/4 and NTFS through a mount.
/// What the disk tests then scan, image, deploy and check.
/// </summary>
public static class TestFileSystems
{
    /// <summary>
    /// Formats <paramref name="device"/> (<paramref name="mkfs"/>: the command and its options,
    /// the device goes last) and copies <paramref name="files"/> (name on the FAT -> local file)
    /// into <paramref name="fatDirectory"/> ("EFI/BOOT"), making its directories.
    /// </summary>
    public static void MakeFat(string device, IReadOnlyList<string> mkfs, string fatDirectory, IReadOnlyDictionary<string, string> files)
    {
        Tool.Run(mkfs[0], [.. mkfs.Skip(1), device]).EnsureSuccess(mkfs[0]);
        var parts = fatDirectory.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var directories = parts.Select((_, i) => "::/" + string.Join('/', parts[..(i + 1)])).ToArray();
        Tool.Run("mmd", ["-i", device, .. directories]).EnsureSuccess("mmd");
        foreach (var (name, local) in files)
        {
            Tool.Run("mcopy", "-i", device, local, $"::/{fatDirectory}/{name}").EnsureSuccess("mcopy");
        }
    }

    /// <summary>
    /// Formats <paramref name="device"/> (<paramref name="mkfs"/> as for <see cref="MakeFat"/>),
    /// mounts it on <paramref name="mountPoint"/> (with ntfs-3g for <paramref name="ntfs3g"/>) in
    /// a mount namespace of its own (<see cref="PrivateMount"/>: the disk is quiet once this
    /// returns), lets <paramref name="fill"/> write into it (it gets where the files are), and
    /// unmounts it, also when filling fails. Returns what <paramref name="fill"/> returns (e.g.
    /// name -> SHA-256 of what it wrote).
    /// </summary>
    public static T MakeMounted<T>(string device, IReadOnlyList<string> mkfs, string mountPoint, Func<string, T> fill, bool ntfs3g = false)
    {
        Tool.Run(mkfs[0], [.. mkfs.Skip(1), device]).EnsureSuccess(mkfs[0]);
        using var mount = PrivateMount.Mount(device, mountPoint, ntfs3g ? "ntfs-3g" : null);
        var result = fill(mount.Path);
        mount.Unmount();
        return result;
    }
}

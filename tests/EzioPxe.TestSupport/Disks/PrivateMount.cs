namespace EzioPxe.TestSupport.Disks;

/// <summary>
/// A file system mounted in a mount namespace of its own (a shell under <c>unshare --mount</c>
/// that mounts, waits, and unmounts), reached from the test through /proc/PID/root.
/// Why not a plain mount: this host's "/" is a private mount, so every mount namespace made
/// while a mount exists (each <c>ip netns exec</c> and <c>unshare --mount</c> of a test running
/// in parallel: servers, dnsmasq, QEMU, the package test's chroot) gets a copy of it and keeps it
/// after our umount. The file system then stays alive on its loop device and writes to the disk
/// later (ext4: lazy inode-table init, and on the real unmount, when that process ends, the
/// superblock's free counts and state): an image made of the disk in between differs from one
/// made after (seen as CaptureTests' capture and `image create` disagreeing on the info-hash,
/// and as partclone's "bitmap free count err"). A mount no other namespace holds cannot be
/// copied: its umount is the last, and the disk is quiet after it.
/// </summary>
public sealed class PrivateMount : IDisposable
{
    // $1 device, $2 mount point, $3 "ntfs-3g" or mount's -o options ("" for none). A closed stdin
    // (the test process gone) unmounts too.
    private const string Script = """
        set -e
        if [ "$3" = ntfs-3g ]; then ntfs-3g "$1" "$2"; elif [ -n "$3" ]; then mount -o "$3" "$1" "$2"; else mount "$1" "$2"; fi
        echo private-mount-ready
        read -r _ || :
        umount "$2"
        """;

    private readonly BackgroundProcess _holder;
    private bool _unmounted;

    private PrivateMount(BackgroundProcess holder, string mountPoint)
    {
        _holder = holder;
        MountPoint = mountPoint;
        Path = $"/proc/{holder.ProcessId}/root{mountPoint}";
    }

    /// <summary>The directory mounted on (in the private namespace).</summary>
    public string MountPoint { get; }

    /// <summary>Where this process reaches the file system's root.</summary>
    public string Path { get; }

    /// <summary>
    /// Mounts <paramref name="device"/> on <paramref name="mountPoint"/> (made if missing) with the
    /// kernel, or with ntfs-3g (FUSE) when <paramref name="type"/> is "ntfs-3g";
    /// <paramref name="options"/> go to mount -o.
    /// </summary>
    public static PrivateMount Mount(string device, string mountPoint, string? type = null, string? options = null)
    {
        mountPoint = System.IO.Path.GetFullPath(mountPoint);
        Directory.CreateDirectory(mountPoint);
        var how = type == "ntfs-3g" ? "ntfs-3g" : options ?? "";
        // unshare execs the shell: the process started is the one whose namespace holds the mount.
        var holder = BackgroundProcess.Start("unshare", ["--mount", "--propagation", "private", "sh", "-c", Script, "sh", device, mountPoint, how], withInput: true);
        try
        {
            holder.WaitForOutput("private-mount-ready", TimeSpan.FromMinutes(1));
        }
        catch
        {
            holder.Dispose();
            throw;
        }
        return new PrivateMount(holder, mountPoint);
    }

    /// <summary>Unmounts (the last reference: the file system is written out and let go); throws if umount fails.</summary>
    public void Unmount()
    {
        if (_unmounted)
        {
            return;
        }
        _unmounted = true;
        _holder.SendInput("\n");
        if (!_holder.WaitForExit(TimeSpan.FromMinutes(2)) || _holder.ExitCode != 0)
        {
            throw new InvalidOperationException($"umount {MountPoint} (private mount namespace) failed:\n{_holder.Output}");
        }
    }

    /// <summary>Unmounts if still mounted, without throwing (a test that failed keeps its own error).</summary>
    public void Dispose()
    {
        if (!_unmounted && !_holder.HasExited)
        {
            _unmounted = true;
            try
            {
                _holder.SendInput("\n");
                _holder.WaitForExit(TimeSpan.FromMinutes(1));
            }
            catch (IOException)
            {
                // It has just exited: nothing left to unmount.
            }
        }
        _holder.Dispose();
    }
}

namespace EzioPxe.TestSupport.Disks;

/// <summary>
/// ext4 keeps its free-block total in per-CPU counters and writes it to the superblock on the
/// real unmount; partclone refuses a superblock total that disagrees with the bitmaps ("bitmap free
/// count err"). Seen under load while test mounts were in the host's mount namespace, where a
/// parallel test's new namespace could keep a copy and so put off the real unmount (and hold the
/// device "in use"); mounts are private now (<see cref="PrivateMount"/>), and this stays as a
/// guard. e2fsck settles the total and changes no bitmap (exit 1 = "corrected").
/// </summary>
public static class ExtFreeCounts
{
    /// <summary>Runs <c>e2fsck -fy</c> on <paramref name="device"/>; returns its result (exit 0 or 1), else throws.</summary>
    public static ToolResult Settle(string device)
    {
        // Right after umount the kernel may still hold the device for a while ("is in use"); on a
        // loaded 2-core CI machine this was seen to last beyond 10 s. e2fsck says so on stdout.
        var fsck = Tool.Run("e2fsck", "-fy", device);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while ((fsck.StandardOutput + fsck.StandardError).Contains("is in use", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(250);
            fsck = Tool.Run("e2fsck", "-fy", device);
        }
        if (fsck.ExitCode is not (0 or 1))
        {
            throw new InvalidOperationException($"e2fsck -fy {device} exited {fsck.ExitCode}\n{fsck.StandardOutput}{fsck.StandardError}");
        }
        return fsck;
    }
}

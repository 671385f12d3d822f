namespace EzioPxe.TestSupport.Disks;

/// <summary>
/// ext4 keeps its free-block total in per-CPU counters and does not always write it back on
/// unmount (seen under load); partclone refuses a superblock total that disagrees with the bitmaps
/// ("bitmap free count err"). e2fsck settles the total and changes no bitmap (exit 1 = "corrected").
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

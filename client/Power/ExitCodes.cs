namespace EzioPxe.Client.Power;

/// <summary>What the client's exit code tells the init script (initramfs/init) to do next.</summary>
public static class ExitCodes
{
    /// <summary>The job is done and nothing is left to do (only seen when the after-action did not end the machine).</summary>
    public const int Done = 0;

    /// <summary>The job failed: the init shows the message and a shell; the machine is never rebooted into a half-written disk.</summary>
    public const int Failed = 1;

    /// <summary>The settings (kernel command line, job) are unusable.</summary>
    public const int BadSettings = 2;

    /// <summary>ezio.after=shell: start a shell on the console.</summary>
    public const int Shell = 10;

    /// <summary>ezio.after=wait: keep the machine up, idle.</summary>
    public const int Wait = 11;

    /// <summary>The server cancelled the task mid-way: the init says so and waits at a shell; never a reboot into the half-written disk.</summary>
    public const int Cancelled = 12;
}

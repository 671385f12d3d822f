namespace EzioPxe.Contracts.Progress;

/// <summary>
/// The states the status page and `eziopxe status` show: every <see cref="ProgressStates"/> value a
/// client reports, plus the ones only the server can tell.
/// </summary>
public static class MachineStates
{
    /// <summary>Silent for too long before it was done or failed: switched off, unplugged or hung.</summary>
    public const string Lost = "lost";

    /// <summary>Asked for DHCP or its boot file and is being sent the deploy kernel; its client has not reported yet.</summary>
    public const string Booting = "booting";

    /// <summary>Network-booted without a task (or not listed): sent to boot its own disk.</summary>
    public const string Waiting = "waiting";

    /// <summary>A task is armed for it; it has not network-booted yet.</summary>
    public const string Armed = "armed";

    /// <summary>Listed in the configuration, no task, not seen since the server started.</summary>
    public const string Idle = "idle";

    public static IReadOnlyList<string> All { get; } = [Idle, Armed, Booting, .. ProgressStates.All, Lost, Waiting];
}

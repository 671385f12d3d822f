namespace EzioPxe.Contracts.Progress;

/// <summary>
/// The states the status page and `eziopxe status` show: every <see cref="ProgressStates"/> value a
/// client reports, plus the ones only the server can tell.
/// </summary>
public static class MachineStates
{
    /// <summary>Silent for too long before it was done or failed: switched off, unplugged or hung.</summary>
    public const string Lost = "lost";

    public static IReadOnlyList<string> All { get; } = [.. ProgressStates.All, Lost];
}

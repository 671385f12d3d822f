namespace EzioPxe.Server.Tasks;

/// <summary>
/// The explicit "deploy to every machine that network-boots" (`eziopxe deploy --machines any`):
/// each machine that boots while it is armed gets a <see cref="DeployTask"/> of <see cref="Job"/>
/// once; <see cref="Served"/> remembers which, so a machine that finished boots its disk next time.
/// </summary>
public sealed record AnyMachineTask
{
    public required string Job { get; init; }

    public required DateTime ArmedAt { get; init; }

    public required string ArmedBy { get; init; }

    /// <summary>MACs that already got their task from this one.</summary>
    public List<string> Served { get; init; } = [];
}

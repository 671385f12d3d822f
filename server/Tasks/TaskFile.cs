namespace EzioPxe.Server.Tasks;

/// <summary>DataDirectory/tasks.json: the armed and running tasks, so that a restart of the server loses none.</summary>
public sealed record TaskFile
{
    public List<DeployTask> Tasks { get; init; } = [];

    public AnyMachineTask? AnyMachine { get; init; }

    /// <summary>Running tasks the administrator cancelled whose machines have not stopped yet (they get ProgressReply.Stop).</summary>
    public List<DeployTask> Cancelled { get; init; } = [];
}

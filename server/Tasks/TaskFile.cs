namespace EzioPxe.Server.Tasks;

/// <summary>DataDirectory/tasks.json: the armed and running tasks, so that a restart of the server loses none.</summary>
public sealed record TaskFile
{
    public List<DeployTask> Tasks { get; init; } = [];

    public AnyMachineTask? AnyMachine { get; init; }
}

namespace EzioPxe.Server.Status;

/// <summary>GET /status: the whole server at one moment, for `eziopxe status` and the status page.</summary>
public sealed record ServerStatus
{
    public required DateTime Time { get; init; }

    public required DateTime StartedAt { get; init; }

    public required IReadOnlyList<ImageStatus> Images { get; init; }

    public required IReadOnlyList<JobStatus> Jobs { get; init; }

    public required IReadOnlyList<MachineStatus> Machines { get; init; }

    /// <summary>The latest finished deployments, newest first.</summary>
    public IReadOnlyList<Tasks.DeploymentRecord> History { get; init; } = [];

    /// <summary>The job armed for every machine that network-boots (`eziopxe deploy --machines any`), if any.</summary>
    public string? AnyMachineJob { get; init; }
}

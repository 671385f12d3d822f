namespace EzioPxe.Server.Status;

/// <summary>GET /status: the whole server at one moment, for `eziopxe status` and the status page.</summary>
public sealed record ServerStatus
{
    public required DateTime Time { get; init; }

    public required DateTime StartedAt { get; init; }

    public required IReadOnlyList<ImageStatus> Images { get; init; }

    public required IReadOnlyList<JobStatus> Jobs { get; init; }

    public required IReadOnlyList<MachineStatus> Machines { get; init; }
}

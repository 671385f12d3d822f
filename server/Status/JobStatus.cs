namespace EzioPxe.Server.Status;

/// <summary>One job: how many of its machines have their image.</summary>
public sealed record JobStatus
{
    public required string Name { get; init; }

    public required string Image { get; init; }

    public required int Reporting { get; init; }

    public required int Finished { get; init; }

    public required int Expected { get; init; }

    public required bool RoomDone { get; init; }
}

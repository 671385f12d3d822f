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

/// <summary>One seeded image: the origin seeder's share of the work and the tracker's view of the swarm.</summary>
public sealed record ImageStatus
{
    public required string Name { get; init; }

    public required string InfoHash { get; init; }

    public required long Bytes { get; init; }

    public required int Extents { get; init; }

    public required long Uploaded { get; init; }

    public required long UploadRate { get; init; }

    /// <summary>Peers connected to the origin seeder.</summary>
    public required int Peers { get; init; }

    public required int Seeders { get; init; }

    public required int Leechers { get; init; }

    public required int Completed { get; init; }
}

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

/// <summary>One machine, from its last progress report.</summary>
public sealed record MachineStatus
{
    public required string Mac { get; init; }

    public string? Name { get; init; }

    public string? Hostname { get; init; }

    public string? Address { get; init; }

    public string? Job { get; init; }

    /// <summary>The reported state, or "lost" when the machine has been silent too long.</summary>
    public required string State { get; init; }

    public required long BytesDone { get; init; }

    public required long BytesTotal { get; init; }

    public required double Percent { get; init; }

    public required long DownloadRate { get; init; }

    public required long UploadRate { get; init; }

    public required int Peers { get; init; }

    public long? EtaSeconds { get; init; }

    public string? Error { get; init; }

    public required double SecondsSinceReport { get; init; }
}

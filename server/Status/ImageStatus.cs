namespace EzioPxe.Server.Status;

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

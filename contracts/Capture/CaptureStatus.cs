namespace EzioPxe.Contracts.Capture;

/// <summary>
/// The server's answer to a plan and to completion: the ranges it holds already (checked against
/// their SHA-256), so a client that lost its connection sends only the rest; once complete, the
/// new image's torrent.
/// </summary>
public sealed record CaptureStatus
{
    public string? Name { get; init; }

    public List<CaptureRange> Received { get; init; } = [];

    public long ReceivedBytes { get; init; }

    public bool Complete { get; init; }

    public string? InfoHash { get; init; }

    public string? ImagePath { get; init; }

    public string? TorrentPath { get; init; }
}

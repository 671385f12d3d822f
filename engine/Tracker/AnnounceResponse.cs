using System.Net;

namespace EzioPxe.Engine.Tracker;

/// <summary>The tracker's answer: peers and when to ask again.</summary>
public sealed record AnnounceResponse(
    TimeSpan Interval,
    TimeSpan? MinInterval,
    IReadOnlyList<IPEndPoint> Peers,
    int? Seeders,
    int? Leechers,
    string? Warning);

namespace EzioPxe.Contracts.Capture;

/// <summary>
/// The capture upload over HTTP:
/// <list type="number">
/// <item>POST /captures/{name} with a <see cref="CapturePlan"/>: 200 with a <see cref="CaptureStatus"/>
/// (what the server already has), 409 when a complete image of that name exists and the plan does
/// not say overwrite.</item>
/// <item>PUT /captures/{name}/ranges/{offset} for each missing range, at most <see cref="MaxRangeBytes"/>,
/// with the SHA-256 of the body in <see cref="Sha256Header"/>; the server checks it before it counts the range.</item>
/// <item>POST /captures/{name}/complete: the server re-scans what it stored, checks it holds the
/// plan's extents, hashes the pieces and writes the torrent, as `eziopxe image create` does.</item>
/// </list>
/// </summary>
public static class CaptureProtocol
{
    /// <summary>Largest range in one PUT: big enough to stream, small enough to resend after a drop.</summary>
    public const int MaxRangeBytes = 4 << 20;

    public const string Sha256Header = "X-Ezio-Sha256";

    public static string PlanPath(string name) => "captures/" + Uri.EscapeDataString(name);

    public static string RangePath(string name, long offset) => $"captures/{Uri.EscapeDataString(name)}/ranges/{offset}";

    public static string CompletePath(string name) => $"captures/{Uri.EscapeDataString(name)}/complete";

    /// <summary>The plan's extents cut into ranges of at most <see cref="MaxRangeBytes"/>, in disk order.</summary>
    public static IEnumerable<CaptureRange> Ranges(IEnumerable<CaptureRange> extents)
    {
        foreach (var extent in extents)
        {
            for (var at = extent.Offset; at < extent.End; at += MaxRangeBytes)
            {
                yield return new CaptureRange(at, Math.Min(MaxRangeBytes, extent.End - at));
            }
        }
    }
}

namespace EzioPxe.Contracts.Capture;

/// <summary>
/// What a capturing client announces before sending (POST /captures/{name}): the disk's size and
/// the used extents its scan found, sorted and not overlapping. The server accepts ranges only
/// inside these extents, and resumes a capture whose plan is the same.
/// </summary>
public sealed record CapturePlan
{
    public long DiskSize { get; init; }

    public List<CaptureRange> Extents { get; init; } = [];

    /// <summary>Replace an image of the same name that is already complete (<c>ezio.overwrite=yes</c>).</summary>
    public bool Overwrite { get; init; }

    /// <summary>The capturing machine, for the log.</summary>
    public string? Mac { get; init; }
}

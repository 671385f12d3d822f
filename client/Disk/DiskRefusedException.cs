namespace EzioPxe.Client.Disk;

/// <summary>The target disk must not be written; the message names the disk and every reason found.</summary>
public sealed class DiskRefusedException(string path, IReadOnlyList<(DiskRefusal Reason, string Why)> reasons)
    : Exception($"refusing to write {path}: " + string.Join("; ", reasons.Select(r => r.Why)))
{
    public string Path { get; } = path;

    public IReadOnlyList<DiskRefusal> Reasons { get; } = reasons.Select(r => r.Reason).ToList();
}

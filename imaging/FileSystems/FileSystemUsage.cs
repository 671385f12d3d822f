using EzioPxe.Imaging.Extents;

namespace EzioPxe.Imaging.FileSystems;

/// <summary>
/// What one filesystem's allocation structures say is in use, as byte extents relative to the
/// start of the filesystem (sorted, merged). <see cref="Label"/> is the volume label if any.
/// </summary>
public sealed record FileSystemUsage(FileSystemKind Kind, string Label, IReadOnlyList<Extent> UsedExtents)
{
    public long UsedBytes => UsedExtents.Sum(e => e.Length);
}

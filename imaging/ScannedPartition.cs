using EzioPxe.Imaging.FileSystems;

namespace EzioPxe.Imaging;

/// <summary>
/// One partition as the scan saw it. <see cref="UsedBytes"/> is what travels for it: the used
/// blocks of its filesystem minus zero runs of 64 KiB or more, or, when <see cref="KeptWhole"/>,
/// its non-zero 4 KiB blocks (the rest of either is zeroed on the target).
/// Index 0 with type "disk" stands for a disk without a partition table.
/// </summary>
public sealed record ScannedPartition(
    int Index,
    string Type,
    string Name,
    long Start,
    long Length,
    FileSystemKind FileSystem,
    string Label,
    long UsedBytes,
    bool KeptWhole,
    IReadOnlyList<string> Notes);

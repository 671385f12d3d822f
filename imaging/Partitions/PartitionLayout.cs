using EzioPxe.Imaging.Extents;

namespace EzioPxe.Imaging.Partitions;

/// <summary>
/// What a partition table reader found: the data partitions, the regions outside them that a
/// disk needs to boot (MBR and the boot loader gap before the first partition, EBRs, GPT
/// headers and entry arrays at both ends), and what it had to say about damage.
/// For a GPT with a good primary header, <see cref="GptHeader"/> is that header (its
/// header-size bytes) and <see cref="HeaderSectors"/> the two header sectors inside the boot
/// regions: they do not travel, the client writes them fitted to its disk (see GptFit).
/// </summary>
public sealed record PartitionLayout(
    PartitionTableKind Kind,
    IReadOnlyList<PartitionEntry> Partitions,
    IReadOnlyList<Extent> BootRegions,
    IReadOnlyList<string> Notes,
    byte[]? GptHeader = null,
    IReadOnlyList<Extent>? HeaderSectors = null);

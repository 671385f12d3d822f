using EzioPxe.Imaging.Extents;

namespace EzioPxe.Imaging.Partitions;

/// <summary>
/// What a partition table reader found: the data partitions, the regions outside them that a
/// disk needs to boot (MBR and the boot loader gap before the first partition, EBRs, GPT
/// headers and entry arrays at both ends), and what it had to say about damage.
/// </summary>
public sealed record PartitionLayout(
    PartitionTableKind Kind,
    IReadOnlyList<PartitionEntry> Partitions,
    IReadOnlyList<Extent> BootRegions,
    IReadOnlyList<string> Notes);

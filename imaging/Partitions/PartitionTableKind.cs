namespace EzioPxe.Imaging.Partitions;

/// <summary>How the disk is divided.</summary>
public enum PartitionTableKind
{
    /// <summary>No partition table we could trust: the disk is treated as one region.</summary>
    None,
    Mbr,
    Gpt,
}

namespace EzioPxe.Client.Disk;

/// <summary>What an image torrent must be written onto (see DiskImageLayout.Target).</summary>
public enum ImageTarget
{
    /// <summary>A whole disk: our image of a disk with a partition table (offsets from the start of the disk).</summary>
    WholeDisk,

    /// <summary>A partition: a torrent without x-eziopxe-disk-size (EZIO, Clonezilla-BT: offsets from the start of a partition).</summary>
    Partition,

    /// <summary>Either: our image of a disk without a partition table, e.g. made of one partition.</summary>
    Either,
}

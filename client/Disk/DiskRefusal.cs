namespace EzioPxe.Client.Disk;

/// <summary>Why a target was refused before a byte was written.</summary>
public enum DiskRefusal
{
    /// <summary>Smaller than the image.</summary>
    TooSmall,
    /// <summary>It or one of its partitions is mounted.</summary>
    Mounted,
    /// <summary>It or one of its partitions is an active swap area.</summary>
    Swap,
    /// <summary>Another kernel device (LVM, md RAID, dm-crypt) is built on it.</summary>
    Held,
    /// <summary>The kernel marks it read-only.</summary>
    ReadOnly,
    /// <summary>A partition image aimed at a whole disk, or a whole-disk image aimed at a partition.</summary>
    WrongKind,
}

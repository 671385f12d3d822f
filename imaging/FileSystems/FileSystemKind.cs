namespace EzioPxe.Imaging.FileSystems;

/// <summary>The filesystems whose allocation structures the scanner reads.</summary>
public enum FileSystemKind
{
    /// <summary>Nothing we recognise: the region is kept whole minus runs of zeros.</summary>
    Unknown,
    Ext2,
    Ext3,
    Ext4,
    Fat12,
    Fat16,
    Fat32,
    Ntfs,
    Swap,
}

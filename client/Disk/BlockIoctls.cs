namespace EzioPxe.Client.Disk;

/// <summary>
/// Block-device ioctl numbers from linux/fs.h. Tmds.LibC does not carry them. They are the same
/// on every architecture .NET runs Linux on (the _IOR size field is sizeof(size_t) = 8 on 64-bit).
/// </summary>
internal static class BlockIoctls
{
    /// <summary>_IO(0x12, 94): int, non-zero when the device is read-only.</summary>
    public const int BLKROGET = 0x125E;

    /// <summary>_IO(0x12, 95): re-read the partition table.</summary>
    public const int BLKRRPART = 0x125F;

    /// <summary>_IO(0x12, 104): int, the logical block size (the O_DIRECT alignment unit).</summary>
    public const int BLKSSZGET = 0x1268;

    /// <summary>_IO(0x12, 123): unsigned int, the physical block size (what the hardware writes at once).</summary>
    public const int BLKPBSZGET = 0x127B;

    /// <summary>
    /// _IO(0x12, 127): zero a byte range, given as u64[2] { start, length }, both multiples of the
    /// logical block size. The kernel uses the device's WRITE ZEROES / unmap when it has one (no
    /// data crosses the bus) and writes zero pages otherwise.
    /// </summary>
    public const int BLKZEROOUT = 0x127F;

    /// <summary>_IOR(0x12, 114, size_t): u64, the size in bytes.</summary>
    public const int BLKGETSIZE64 = unchecked((int)0x80081272);
}

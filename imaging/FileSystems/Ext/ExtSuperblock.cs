using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace EzioPxe.Imaging.FileSystems.Ext;

/// <summary>
/// The fields of the ext2/3/4 superblock (1024 bytes at byte 1024 of the filesystem) that
/// locate the block groups and their bitmaps. Offsets follow the kernel's struct ext4_super_block.
/// </summary>
public sealed class ExtSuperblock
{
    public const int Offset = 1024;
    public const int Size = 1024;
    public const ushort Magic = 0xEF53;

    // Feature flags (s_feature_compat / incompat / ro_compat).
    public const uint CompatHasJournal = 0x4;
    public const uint CompatSparseSuper2 = 0x200;
    public const uint IncompatJournalDev = 0x8;
    public const uint IncompatMetaBg = 0x10;
    public const uint IncompatExtents = 0x40;
    public const uint Incompat64Bit = 0x80;
    public const uint IncompatFlexBg = 0x200;
    public const uint RoCompatSparseSuper = 0x1;
    public const uint RoCompatHugeFile = 0x8;
    public const uint RoCompatGdtCsum = 0x10;
    public const uint RoCompatDirNlink = 0x20;
    public const uint RoCompatExtraIsize = 0x40;
    public const uint RoCompatBigalloc = 0x200;
    public const uint RoCompatMetadataCsum = 0x400;

    private ExtSuperblock()
    {
    }

    public uint InodesCount { get; private init; }
    public long BlocksCount { get; private init; }
    public long FreeBlocksCount { get; private init; }
    public uint FirstDataBlock { get; private init; }
    public int BlockSize { get; private init; }
    public uint BlocksPerGroup { get; private init; }
    public uint InodesPerGroup { get; private init; }
    public int InodeSize { get; private init; }
    public uint FeatureCompat { get; private init; }
    public uint FeatureIncompat { get; private init; }
    public uint FeatureRoCompat { get; private init; }
    public int ReservedGdtBlocks { get; private init; }
    public int DescriptorSize { get; private init; }
    public uint FirstMetaBg { get; private init; }
    public uint BackupGroup0 { get; private init; }
    public uint BackupGroup1 { get; private init; }
    public string Label { get; private init; } = "";

    public long GroupCount => (BlocksCount - FirstDataBlock + BlocksPerGroup - 1) / BlocksPerGroup;

    public int DescriptorsPerBlock => BlockSize / DescriptorSize;

    public long DescriptorBlocks => (GroupCount + DescriptorsPerBlock - 1) / DescriptorsPerBlock;

    public bool Has(uint compat = 0, uint incompat = 0, uint roCompat = 0) =>
        (FeatureCompat & compat) != 0 || (FeatureIncompat & incompat) != 0 || (FeatureRoCompat & roCompat) != 0;

    /// <summary>Which generation the features make it, as blkid names it.</summary>
    public FileSystemKind Kind =>
        Has(incompat: IncompatExtents | Incompat64Bit | IncompatFlexBg | IncompatMetaBg,
            roCompat: RoCompatHugeFile | RoCompatGdtCsum | RoCompatMetadataCsum | RoCompatDirNlink | RoCompatExtraIsize)
            ? FileSystemKind.Ext4
            : Has(compat: CompatHasJournal) ? FileSystemKind.Ext3 : FileSystemKind.Ext2;

    public static bool HasMagic(ReadOnlySpan<byte> superblock) =>
        BinaryPrimitives.ReadUInt16LittleEndian(superblock[0x38..]) == Magic;

    /// <summary>Parses and sanity-checks the superblock; throws <see cref="DiskFormatException"/> saying what is wrong.</summary>
    public static ExtSuperblock Parse(ReadOnlySpan<byte> s, long partitionLength)
    {
        if (!HasMagic(s))
        {
            throw new DiskFormatException("ext superblock has no 0xEF53 magic");
        }
        var roCompat = BinaryPrimitives.ReadUInt32LittleEndian(s[0x64..]);
        if ((roCompat & RoCompatMetadataCsum) != 0)
        {
            // metadata_csum: crc32c (Castagnoli, seed ~0, no final inversion) over the first 1020 bytes.
            var crc = 0xFFFFFFFFu;
            foreach (var b in s[..0x3FC])
            {
                crc = BitOperations.Crc32C(crc, b);
            }
            var stored = BinaryPrimitives.ReadUInt32LittleEndian(s[0x3FC..]);
            if (crc != stored)
            {
                throw new DiskFormatException($"ext4 superblock checksum mismatch (stored 0x{stored:x8}, computed 0x{crc:x8}): the superblock is corrupt");
            }
        }
        var logBlockSize = BinaryPrimitives.ReadUInt32LittleEndian(s[0x18..]);
        if (logBlockSize > 6)
        {
            throw new DiskFormatException($"ext superblock gives block size 1024 << {logBlockSize}, more than 64 KiB");
        }
        var blockSize = 1024 << (int)logBlockSize;
        var incompat = BinaryPrimitives.ReadUInt32LittleEndian(s[0x60..]);
        var is64 = (incompat & Incompat64Bit) != 0;
        var revLevel = BinaryPrimitives.ReadUInt32LittleEndian(s[0x4C..]);
        var sb = new ExtSuperblock
        {
            InodesCount = BinaryPrimitives.ReadUInt32LittleEndian(s),
            BlocksCount = BinaryPrimitives.ReadUInt32LittleEndian(s[0x04..]) | (is64 ? (long)BinaryPrimitives.ReadUInt32LittleEndian(s[0x150..]) << 32 : 0),
            FreeBlocksCount = BinaryPrimitives.ReadUInt32LittleEndian(s[0x0C..]) | (is64 ? (long)BinaryPrimitives.ReadUInt32LittleEndian(s[0x158..]) << 32 : 0),
            FirstDataBlock = BinaryPrimitives.ReadUInt32LittleEndian(s[0x14..]),
            BlockSize = blockSize,
            BlocksPerGroup = BinaryPrimitives.ReadUInt32LittleEndian(s[0x20..]),
            InodesPerGroup = BinaryPrimitives.ReadUInt32LittleEndian(s[0x28..]),
            InodeSize = revLevel == 0 ? 128 : BinaryPrimitives.ReadUInt16LittleEndian(s[0x58..]),
            FeatureCompat = BinaryPrimitives.ReadUInt32LittleEndian(s[0x5C..]),
            FeatureIncompat = incompat,
            FeatureRoCompat = roCompat,
            ReservedGdtBlocks = BinaryPrimitives.ReadUInt16LittleEndian(s[0xCE..]),
            DescriptorSize = is64 ? BinaryPrimitives.ReadUInt16LittleEndian(s[0xFE..]) : 32,
            FirstMetaBg = BinaryPrimitives.ReadUInt32LittleEndian(s[0x104..]),
            BackupGroup0 = BinaryPrimitives.ReadUInt32LittleEndian(s[0x24C..]),
            BackupGroup1 = BinaryPrimitives.ReadUInt32LittleEndian(s[0x250..]),
            Label = Encoding.UTF8.GetString(s.Slice(0x78, 16)).TrimEnd('\0'),
        };
        sb.Validate(partitionLength);
        return sb;
    }

    private void Validate(long partitionLength)
    {
        void Fail(string what) => throw new DiskFormatException($"ext superblock is corrupt: {what}");
        if (Has(incompat: IncompatJournalDev))
        {
            throw new DiskFormatException("this is an external ext journal device, not a filesystem");
        }
        if (Has(roCompat: RoCompatBigalloc))
        {
            throw new DiskFormatException("ext4 bigalloc (cluster bitmaps) is not supported by the scanner");
        }
        if (BlocksPerGroup < 8 || BlocksPerGroup > 8L * BlockSize || BlocksPerGroup % 8 != 0)
        {
            Fail($"{BlocksPerGroup} blocks per group (block size {BlockSize})");
        }
        if (InodesPerGroup == 0 || InodesPerGroup > 8L * BlockSize)
        {
            Fail($"{InodesPerGroup} inodes per group");
        }
        if (InodeSize < 128 || InodeSize > BlockSize || (InodeSize & (InodeSize - 1)) != 0)
        {
            Fail($"inode size {InodeSize}");
        }
        if (FirstDataBlock > 1 || (BlockSize == 1024) != (FirstDataBlock == 1))
        {
            Fail($"first data block {FirstDataBlock} with block size {BlockSize}");
        }
        if (BlocksCount <= FirstDataBlock)
        {
            Fail($"block count {BlocksCount}");
        }
        if (DescriptorSize < 32 || DescriptorSize > BlockSize || (DescriptorSize & (DescriptorSize - 1)) != 0)
        {
            Fail($"group descriptor size {DescriptorSize}");
        }
        if ((long)InodesCount != GroupCount * InodesPerGroup)
        {
            Fail($"{InodesCount} inodes is not {GroupCount} groups x {InodesPerGroup} inodes per group");
        }
        if (FreeBlocksCount > BlocksCount)
        {
            Fail($"{FreeBlocksCount} free blocks of {BlocksCount}");
        }
        if (BlocksCount * BlockSize > partitionLength)
        {
            throw new DiskFormatException(
                $"the filesystem is {BlocksCount * BlockSize} bytes but its partition (or what is left of it on the disk) is only {partitionLength} bytes: the image is truncated or the superblock is corrupt");
        }
    }
}

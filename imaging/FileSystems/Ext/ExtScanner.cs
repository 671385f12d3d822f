using System.Buffers.Binary;
using EzioPxe.Imaging.Extents;

namespace EzioPxe.Imaging.FileSystems.Ext;

/// <summary>
/// Used blocks of ext2/3/4 from the block group bitmaps. Groups flagged BLOCK_UNINIT have no
/// bitmap on disk (the kernel computes it on first use), so for them we compute what the kernel
/// and libext2fs would: the superblock and descriptor backup the group carries, plus any group's
/// bitmaps and inode table that lie in it (with flex_bg those of a whole flex group sit together).
/// </summary>
public static class ExtScanner
{
    private const ushort BlockUninit = 0x2;

    public static bool Matches(DiskImage disk, long start, long length)
    {
        if (length < ExtSuperblock.Offset + ExtSuperblock.Size || start + ExtSuperblock.Offset + ExtSuperblock.Size > disk.Size)
        {
            return false;
        }
        return ExtSuperblock.HasMagic(disk.Read(start + ExtSuperblock.Offset, ExtSuperblock.Size));
    }

    /// <summary>Best guess at the generation before a full parse (for messages about a damaged filesystem).</summary>
    public static FileSystemKind Guess(DiskImage disk, long start)
    {
        try
        {
            var s = disk.Read(start + ExtSuperblock.Offset, ExtSuperblock.Size);
            var incompat = BinaryPrimitives.ReadUInt32LittleEndian(s.AsSpan(0x60));
            var compat = BinaryPrimitives.ReadUInt32LittleEndian(s.AsSpan(0x5C));
            return (incompat & (ExtSuperblock.IncompatExtents | ExtSuperblock.IncompatFlexBg | ExtSuperblock.Incompat64Bit)) != 0
                ? FileSystemKind.Ext4
                : (compat & ExtSuperblock.CompatHasJournal) != 0 ? FileSystemKind.Ext3 : FileSystemKind.Ext2;
        }
        catch (DiskFormatException)
        {
            return FileSystemKind.Ext4;
        }
    }

    public static FileSystemUsage Scan(DiskImage disk, long start, long length)
    {
        var sb = ExtSuperblock.Parse(disk.Read(start + ExtSuperblock.Offset, ExtSuperblock.Size), Math.Min(length, disk.Size - start));
        long blockSize = sb.BlockSize;
        var used = new ExtentListBuilder();
        // Block 0 of a 1 KiB-block filesystem is the boot block, outside every group; partclone
        // copies it too, and it may hold a boot loader.
        used.Add(0, Math.Max(sb.FirstDataBlock, 1) * blockSize);

        var descriptors = new DescriptorReader(disk, start, sb);
        var checksummed = sb.Has(roCompat: ExtSuperblock.RoCompatGdtCsum | ExtSuperblock.RoCompatMetadataCsum);
        var inodeTableBlocks = ((long)sb.InodesPerGroup * sb.InodeSize + blockSize - 1) / blockSize;
        var bitmap = new byte[sb.BlockSize];
        for (long group = 0; group < sb.GroupCount; group++)
        {
            var d = descriptors.Get(group);
            var blockBitmap = Field64(d, 0x00, 0x20, sb);
            var inodeBitmap = Field64(d, 0x04, 0x24, sb);
            var inodeTable = Field64(d, 0x08, 0x28, sb);
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(d[0x12..]);
            CheckInside(sb, group, "block bitmap", blockBitmap, 1);
            CheckInside(sb, group, "inode bitmap", inodeBitmap, 1);
            CheckInside(sb, group, "inode table", inodeTable, inodeTableBlocks);
            // Always in use, wherever flex_bg placed them; this also covers the ones that sit in
            // a BLOCK_UNINIT group.
            used.Add(blockBitmap * blockSize, blockSize);
            used.Add(inodeBitmap * blockSize, blockSize);
            used.Add(inodeTable * blockSize, inodeTableBlocks * blockSize);

            var groupFirst = sb.FirstDataBlock + group * sb.BlocksPerGroup;
            var groupBlocks = Math.Min(sb.BlocksPerGroup, sb.BlocksCount - groupFirst);
            if (checksummed && (flags & BlockUninit) != 0)
            {
                used.Add(groupFirst * blockSize, SuperAndDescriptorBlocks(sb, group) * blockSize);
                continue;
            }
            disk.Read(start + blockBitmap * blockSize, bitmap);
            BitmapRuns.AddSetRuns(bitmap, groupBlocks, groupFirst * blockSize, blockSize, used);
        }
        return new FileSystemUsage(sb.Kind, sb.Label, used.Build(sb.BlocksCount * blockSize));
    }

    private static long Field64(ReadOnlySpan<byte> d, int lowOffset, int highOffset, ExtSuperblock sb) =>
        BinaryPrimitives.ReadUInt32LittleEndian(d[lowOffset..])
        | (sb.DescriptorSize >= 64 ? (long)BinaryPrimitives.ReadUInt32LittleEndian(d[highOffset..]) << 32 : 0);

    private static void CheckInside(ExtSuperblock sb, long group, string what, long block, long count)
    {
        if (block < sb.FirstDataBlock || block + count > sb.BlocksCount)
        {
            throw new DiskFormatException($"ext group {group}: {what} at block {block} lies outside the filesystem ({sb.BlocksCount} blocks): the group descriptors are corrupt");
        }
    }

    /// <summary>Does the group carry a superblock backup? (group 0, and with sparse_super only 1 and powers of 3, 5, 7).</summary>
    internal static bool HasSuperblock(ExtSuperblock sb, long group)
    {
        if (group == 0)
        {
            return true;
        }
        if (sb.Has(compat: ExtSuperblock.CompatSparseSuper2))
        {
            return group == sb.BackupGroup0 || group == sb.BackupGroup1;
        }
        if (group <= 1 || !sb.Has(roCompat: ExtSuperblock.RoCompatSparseSuper))
        {
            return true;
        }
        if ((group & 1) == 0)
        {
            return false;
        }
        return IsPowerOf(group, 3) || IsPowerOf(group, 5) || IsPowerOf(group, 7);
    }

    private static bool IsPowerOf(long value, long root)
    {
        var power = root;
        while (power < value)
        {
            power *= root;
        }
        return power == value;
    }

    /// <summary>
    /// Blocks at the start of a group taken by its superblock copy and group descriptor copy
    /// (old layout: all descriptor blocks plus the reserved GDT blocks for online resize;
    /// meta_bg: one descriptor block in the first, second and last group of each meta group).
    /// Mirrors libext2fs's ext2fs_super_and_bgd_loc2.
    /// </summary>
    internal static long SuperAndDescriptorBlocks(ExtSuperblock sb, long group)
    {
        var hasSuper = HasSuperblock(sb, group);
        long count = hasSuper ? 1 : 0;
        var metaBgSize = sb.DescriptorsPerBlock;
        var metaBg = group / metaBgSize;
        var isMetaBg = sb.Has(incompat: ExtSuperblock.IncompatMetaBg);
        var oldDescriptorBlocks = isMetaBg ? sb.FirstMetaBg : sb.DescriptorBlocks + sb.ReservedGdtBlocks;
        if (!isMetaBg || metaBg < sb.FirstMetaBg)
        {
            if (hasSuper)
            {
                count += oldDescriptorBlocks;
            }
        }
        else
        {
            var inMeta = group % metaBgSize;
            if (inMeta == 0 || inMeta == 1 || inMeta == metaBgSize - 1)
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>Reads group descriptors, one descriptor block at a time.</summary>
    private sealed class DescriptorReader(DiskImage disk, long start, ExtSuperblock sb)
    {
        private readonly byte[] _block = new byte[sb.BlockSize];
        private long _loaded = -1;

        public ReadOnlySpan<byte> Get(long group)
        {
            var index = group / sb.DescriptorsPerBlock;
            if (index != _loaded)
            {
                var location = Location(index);
                if (location >= sb.BlocksCount)
                {
                    throw new DiskFormatException($"ext group descriptor block {index} would be at block {location}, outside the filesystem");
                }
                disk.Read(start + location * sb.BlockSize, _block);
                _loaded = index;
            }
            return _block.AsSpan((int)(group % sb.DescriptorsPerBlock) * sb.DescriptorSize, sb.DescriptorSize);
        }

        // ext2fs_descriptor_block_loc2: descriptor blocks follow the primary superblock, except
        // with meta_bg, where block i lives at the start of meta group i.
        private long Location(long index)
        {
            if (!sb.Has(incompat: ExtSuperblock.IncompatMetaBg) || index < sb.FirstMetaBg)
            {
                return sb.FirstDataBlock + 1 + index;
            }
            var group = index * sb.DescriptorsPerBlock;
            return sb.FirstDataBlock + group * sb.BlocksPerGroup + (HasSuperblock(sb, group) ? 1 : 0);
        }
    }
}

using System.Text;
using Tmds.Linux;
using static Tmds.Linux.LibC;

namespace EzioPxe.Client.Disk;

/// <summary>
/// A raw disk (or partition) opened with O_DIRECT, so that an image several times the RAM size
/// goes to the disk without filling and then thrashing the page cache of a diskless initramfs.
/// A thin wrapper: reads and writes go to pread/pwrite as given, and with O_DIRECT the kernel
/// refuses (EINVAL) any buffer address, offset or length that is not a multiple of
/// <see cref="LogicalBlockSize"/>; <see cref="AlignedBuffer"/> and the storage above take care of that.
/// A regular file is accepted too (tests, images): its size comes from fstat (rounded down to whole 512-byte blocks) and its block size is 512.
/// </summary>
public sealed unsafe class BlockDevice : IDisposable
{
    private int _fd;

    private BlockDevice(string path, int fd, bool writable)
    {
        Path = path;
        _fd = fd;
        IsWritable = writable;
    }

    public string Path { get; }

    public bool IsWritable { get; }

    /// <summary>True for a block device, false for a regular file.</summary>
    public bool IsBlockDevice { get; private set; }

    /// <summary>major:minor of the block device; default for a regular file.</summary>
    public DeviceNumber DeviceNumber { get; private set; }

    /// <summary>Size in bytes (BLKGETSIZE64, or st_size for a file).</summary>
    public long Size { get; private set; }

    /// <summary>The O_DIRECT alignment unit for offsets, lengths and buffer addresses (BLKSSZGET).</summary>
    public int LogicalBlockSize { get; private set; }

    /// <summary>What the hardware writes in one go (BLKPBSZGET); 4096 on "512e" disks.</summary>
    public int PhysicalBlockSize { get; private set; }

    /// <summary>The kernel says the device is read-only (BLKROGET), e.g. <c>losetup -r</c> or a write-protected card.</summary>
    public bool IsReadOnly { get; private set; }

    /// <summary>Whether the open file really has O_DIRECT (read back with fcntl(F_GETFL)); false only for files on a file system without it, like tmpfs.</summary>
    public bool IsDirect => (Call(fcntl(Fd, F_GETFL), "fcntl", "F_GETFL") & O_DIRECT) != 0;

    /// <summary>The file descriptor, for the few calls this class does not wrap.</summary>
    public int Fd => _fd >= 0 ? _fd : throw new ObjectDisposedException(Path);

    /// <summary>
    /// Opens <paramref name="path"/> with O_DIRECT. A block device opened for writing is opened
    /// O_EXCL as well, so that nothing can mount it while we write (and we fail with EBUSY if
    /// something already holds it). A regular file on a file system without O_DIRECT is
    /// opened without it.
    /// </summary>
    public static BlockDevice Open(string path, bool writable)
    {
        var access = writable ? O_RDWR : O_RDONLY;
        var fd = OpenRaw(path, access | O_DIRECT | O_CLOEXEC, out var errno);
        if (fd < 0 && errno == EINVAL)
        {
            // open() with O_DIRECT gives EINVAL on file systems that cannot do it (tmpfs).
            fd = OpenRaw(path, access | O_CLOEXEC, out errno);
        }
        if (fd < 0)
        {
            throw new LibCException($"open({path}, {FlagNames(access | O_DIRECT)})", errno);
        }
        var device = new BlockDevice(path, fd, writable);
        try
        {
            device.ReadGeometry();
            if (device.IsBlockDevice && writable)
            {
                // Re-open exclusively now that we know it is a block device (O_EXCL means
                // "exclusive" only for block devices; on files it is undefined without O_CREAT).
                var exclusive = OpenRaw(path, access | O_DIRECT | O_CLOEXEC | O_EXCL, out errno);
                if (exclusive < 0)
                {
                    throw new LibCException($"open({path}, {FlagNames(access | O_DIRECT | O_EXCL)})", errno);
                }
                _ = close(device._fd);
                device._fd = exclusive;
            }
            return device;
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    /// <summary>Reads exactly <c>length</c> bytes at <paramref name="offset"/> into <paramref name="buffer"/>.</summary>
    public void ReadExactly(long offset, byte* buffer, int length)
    {
        var done = 0;
        while (done < length)
        {
            var n = (long)pread(Fd, buffer + done, length - done, offset + done);
            if (n < 0)
            {
                var error = errno; // before anything else can overwrite it
                if (error == EINTR)
                {
                    continue;
                }
                throw new LibCException($"pread({Path}, {length - done} bytes at {offset + done})", error);
            }
            if (n == 0)
            {
                throw new EndOfStreamException($"pread({Path}, {length - done} bytes at {offset + done}): end of device at {Size}");
            }
            done += (int)n;
        }
    }

    /// <summary>Writes exactly <c>length</c> bytes from <paramref name="buffer"/> at <paramref name="offset"/>.</summary>
    public void WriteExactly(long offset, byte* buffer, int length)
    {
        var done = 0;
        while (done < length)
        {
            var n = (long)pwrite(Fd, buffer + done, length - done, offset + done);
            if (n < 0)
            {
                var error = errno; // before anything else can overwrite it
                if (error == EINTR)
                {
                    continue;
                }
                throw new LibCException($"pwrite({Path}, {length - done} bytes at {offset + done})", error);
            }
            if (n == 0)
            {
                throw new IOException($"pwrite({Path}, {length - done} bytes at {offset + done}): wrote nothing (end of device at {Size})");
            }
            done += (int)n;
        }
    }

    public void ReadExactly(long offset, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            ReadExactly(offset, p, buffer.Length);
        }
    }

    public void WriteExactly(long offset, ReadOnlySpan<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            WriteExactly(offset, p, buffer.Length);
        }
    }

    /// <summary>
    /// Makes [offset, offset + length) read as zeros; both must be multiples of
    /// <see cref="LogicalBlockSize"/>. A block device gets BLKZEROOUT; a file gets a punched hole
    /// (or FALLOC_FL_ZERO_RANGE); where the kernel refuses either, zeros are written through
    /// <paramref name="buffer"/>. Returns how it was done, for the console.
    /// </summary>
    public string ZeroOut(long offset, long length, AlignedBuffer buffer)
    {
        if (offset % LogicalBlockSize != 0 || length % LogicalBlockSize != 0)
        {
            throw new ArgumentException($"zeroing {length} bytes at {offset} on {Path}: not whole {LogicalBlockSize}-byte blocks");
        }
        if (length == 0)
        {
            return "nothing";
        }
        int error;
        if (IsBlockDevice)
        {
            var range = stackalloc ulong[2] { (ulong)offset, (ulong)length };
            if (ioctl(Fd, BlockIoctls.BLKZEROOUT, range) == 0)
            {
                return "BLKZEROOUT";
            }
            error = errno;
        }
        else
        {
            error = FileSpace.Fallocate(Fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, offset, length);
            if (error == 0)
            {
                return "punched holes";
            }
            error = FileSpace.Fallocate(Fd, FileSpace.ZeroRange | FALLOC_FL_KEEP_SIZE, offset, length);
            if (error == 0)
            {
                return "FALLOC_FL_ZERO_RANGE";
            }
        }
        if (error != EOPNOTSUPP && error != EINVAL && error != ENOTTY && error != ENOSYS)
        {
            throw new LibCException(IsBlockDevice ? $"ioctl({Path}, BLKZEROOUT, {offset}, {length})" : $"fallocate({Path}, {offset}, {length})", error);
        }
        // Refused (an old kernel, a driver or file system without it): write the zeros.
        buffer.Span.Clear();
        for (var done = 0L; done < length;)
        {
            var count = (int)Math.Min(length - done, buffer.Length - buffer.Length % LogicalBlockSize);
            WriteExactly(offset + done, buffer.Pointer, count);
            done += count;
        }
        return "zero writes";
    }

    /// <summary>fsync: O_DIRECT bypasses the page cache but not the drive's own write cache.</summary>
    public void Flush()
    {
        while (fsync(Fd) < 0)
        {
            var error = errno;
            if (error != EINTR)
            {
                throw new LibCException($"fsync({Path})", error);
            }
        }
    }

    /// <summary>
    /// BLKRRPART: makes the kernel read the new partition table we wrote, so that the new
    /// system's partitions exist (e.g. for a post-install step) before any reboot. Only for a
    /// whole block device; a partition or a file has no table of its own.
    /// </summary>
    public void RereadPartitionTable()
    {
        Call(ioctl(Fd, BlockIoctls.BLKRRPART), "ioctl", "BLKRRPART");
    }

    private void ReadGeometry()
    {
        stat st;
        Call(fstat(Fd, &st), "fstat", null);
        if (S_ISBLK(st.st_mode))
        {
            IsBlockDevice = true;
            DeviceNumber = DeviceNumber.FromDevT(st.st_rdev);
            ulong size;
            Call(ioctl(Fd, BlockIoctls.BLKGETSIZE64, &size), "ioctl", "BLKGETSIZE64");
            int logical;
            Call(ioctl(Fd, BlockIoctls.BLKSSZGET, &logical), "ioctl", "BLKSSZGET");
            uint physical;
            Call(ioctl(Fd, BlockIoctls.BLKPBSZGET, &physical), "ioctl", "BLKPBSZGET");
            int readOnly;
            Call(ioctl(Fd, BlockIoctls.BLKROGET, &readOnly), "ioctl", "BLKROGET");
            Size = (long)size;
            LogicalBlockSize = logical;
            PhysicalBlockSize = (int)physical;
            IsReadOnly = readOnly != 0;
        }
        else if (S_ISREG(st.st_mode))
        {
            // Whole 512-byte blocks only, as on a real disk: a ragged tail could only be
            // written with O_DIRECT by growing the file.
            Size = st.st_size - (st.st_size % 512);
            LogicalBlockSize = 512;
            PhysicalBlockSize = 512;
            IsReadOnly = false;
        }
        else
        {
            throw new IOException($"{Path} is neither a block device nor a regular file");
        }
    }

    private int Call(int result, string call, string? argument)
    {
        if (result < 0)
        {
            var error = errno;
            throw new LibCException(argument == null ? $"{call}({Path})" : $"{call}({Path}, {argument})", error);
        }
        return result;
    }

    private static int OpenRaw(string path, int flags, out int error)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, bytes);
        int fd;
        fixed (byte* p = bytes)
        {
            do
            {
                fd = open(p, flags, 0);
                error = fd < 0 ? errno : 0;
            }
            while (fd < 0 && error == EINTR);
        }
        return fd;
    }

    /// <summary>The open flags as a C programmer writes them, for error messages.</summary>
    internal static string FlagNames(int flags)
    {
        var names = new List<string> { (flags & O_ACCMODE) == O_RDWR ? "O_RDWR" : (flags & O_ACCMODE) == O_WRONLY ? "O_WRONLY" : "O_RDONLY" };
        if ((flags & O_DIRECT) != 0)
        {
            names.Add("O_DIRECT");
        }
        if ((flags & O_EXCL) != 0)
        {
            names.Add("O_EXCL");
        }
        return string.Join('|', names);
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            _ = close(fd);
        }
    }
}

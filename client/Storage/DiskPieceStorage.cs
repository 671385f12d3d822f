using EzioPxe.Client.Disk;
using EzioPxe.Contracts.Images;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Storage;

namespace EzioPxe.Client.Storage;

/// <summary>
/// The engine's storage for an image torrent: every file of the torrent is an extent of the
/// target disk (its name is its offset, see <see cref="ExtentName"/>), so a verified piece is
/// written straight to the raw disk, at the extents its bytes belong to.
/// <para>
/// The disk is opened with O_DIRECT, so every read and write uses aligned memory and covers
/// whole logical blocks. The engine's piece buffers are aligned, so whole blocks go straight
/// from and into them (no copy); other memory goes through a bounce buffer. Extents need not be aligned (Clonezilla's are not, ours may not
/// be): the blocks at the edges of a run are read, patched and written back, under a lock per
/// block, because the other part of such a block may belong to a piece being written at the same
/// moment on another thread.
/// </para>
/// </summary>
public sealed class DiskPieceStorage : IPieceStorage
{
    /// <summary>Striped locks for edge blocks: enough stripes that unrelated pieces rarely wait on each other.</summary>
    private const int LockStripes = 256;

    private readonly PieceLayout _pieces;
    private readonly AlignedBufferPool _buffers;
    private readonly object[] _blockLocks;
    private readonly int _blockSize;

    /// <summary>Takes ownership of an open device (see <see cref="Open"/> for the usual way).</summary>
    /// <param name="bufferSize">Bytes per aligned buffer; rounded up to a multiple of the block size.</param>
    /// <param name="bufferCount">How many reads and writes may be under way at once; memory is at most count × size.</param>
    public DiskPieceStorage(TorrentInfo info, BlockDevice device, int bufferSize = 1 << 20, int bufferCount = 8)
    {
        Layout = DiskImageLayout.FromTorrent(info);
        Layout.CheckFits(device.Path, device.Size);
        Device = device;
        _pieces = new PieceLayout(info);
        _blockSize = device.LogicalBlockSize;
        if (_blockSize <= 0 || !int.IsPow2(_blockSize))
        {
            throw new IOException($"{device.Path} reports a logical block size of {_blockSize}");
        }
        bufferSize = Math.Max(_blockSize, (bufferSize + _blockSize - 1) / _blockSize * _blockSize);
        _buffers = new AlignedBufferPool(bufferSize, bufferCount);
        _blockLocks = Enumerable.Range(0, LockStripes).Select(_ => new object()).ToArray();
    }

    public BlockDevice Device { get; }

    public DiskImageLayout Layout { get; }

    /// <summary>
    /// Checks the torrent (file names are offsets, no overlaps), refuses the target if it is
    /// too small, mounted, in use or read-only (before a byte is written), then opens it for
    /// writing with O_DIRECT (and O_EXCL for a block device).
    /// </summary>
    public static DiskPieceStorage Open(TorrentInfo info, string path, DiskPreflight? preflight = null, int bufferSize = 1 << 20, int bufferCount = 8)
    {
        var layout = DiskImageLayout.FromTorrent(info);
        (preflight ?? new DiskPreflight()).Check(path, layout.RequiredDiskSize, layout.Target);
        var device = BlockDevice.Open(path, writable: true);
        try
        {
            return new DiskPieceStorage(info, device, bufferSize, bufferCount);
        }
        catch
        {
            device.Dispose();
            throw;
        }
    }

    public async ValueTask ReadAsync(int piece, int offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var spans = _pieces.Map(piece, offset, buffer.Length);
        // Blocking pread off the caller's thread: the engine's network loop must not wait on a disk seek.
        await Task.Run(() =>
        {
            using var bounce = new BounceBuffer(_buffers);
            foreach (var span in spans)
            {
                ReadRange(DiskOffsetOf(span), buffer.Span.Slice(span.BufferOffset, span.Length), bounce);
            }
        }, cancellationToken);
    }

    public async ValueTask WritePieceAsync(int piece, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var size = _pieces.Info.GetPieceSize(piece);
        if (data.Length != size)
        {
            throw new ArgumentException($"piece {piece} is {size} bytes, not {data.Length}", nameof(data));
        }
        var spans = _pieces.Map(piece, 0, data.Length);
        await Task.Run(() =>
        {
            using var bounce = new BounceBuffer(_buffers);
            foreach (var span in spans)
            {
                WriteRange(DiskOffsetOf(span), data.Span.Slice(span.BufferOffset, span.Length), bounce);
            }
        }, cancellationToken);
    }

    public ValueTask FlushAsync(CancellationToken cancellationToken) => new(Task.Run(Device.Flush, cancellationToken));

    /// <summary>
    /// Makes every range of <see cref="DiskImageLayout.ZeroRanges"/> read as zeros, locally (no
    /// zero crosses the network): whole logical blocks with <see cref="BlockDevice.ZeroOut"/>,
    /// blocks shared with an extent by read-modify-write. The ranges never overlap an extent, so
    /// this can run before, during or after the download, and again on a re-run, without
    /// touching a piece.
    /// </summary>
    public async ValueTask<ZeroingResult> ZeroRequiredAsync(CancellationToken cancellationToken)
    {
        var ranges = Layout.ZeroRanges;
        if (ranges.Count == 0)
        {
            return new ZeroingResult(0, 0, "nothing");
        }
        return await Task.Run(() =>
        {
            using var bounce = new BounceBuffer(_buffers);
            var methods = new HashSet<string>();
            long bytes = 0;
            foreach (var range in ranges)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var start = (range.Offset + _blockSize - 1) / _blockSize * _blockSize;
                var end = range.End / _blockSize * _blockSize;
                if (end <= start)
                {
                    WriteZeros(range.Offset, range.End, bounce);
                }
                else
                {
                    WriteZeros(range.Offset, start, bounce);
                    methods.Add(Device.ZeroOut(start, end - start, bounce.Get()));
                    WriteZeros(end, range.End, bounce);
                }
                bytes += range.Length;
            }
            return new ZeroingResult(bytes, ranges.Count, methods.Count == 0 ? "zero writes" : string.Join(", ", methods.Order(StringComparer.Ordinal)));
        }, cancellationToken);
    }

    /// <summary>
    /// For a GPT image (<see cref="DiskImageLayout.GptHeader"/>), once every piece is written:
    /// writes the primary header, the backup entry array (a copy of the primary one, read back
    /// from the disk and checked against the header's CRC) and the backup header, fitted to this
    /// target (<see cref="GptFit"/>): byte-identical to the golden's on a disk of its size, moved
    /// to the end on a larger one. The header sectors are in no piece, so a re-check of the disk
    /// still finds every piece present. Returns null for an image without a GPT header.
    /// </summary>
    public async ValueTask<GptFitResult?> WriteGptAsync(CancellationToken cancellationToken)
    {
        if (Layout.GptHeader is not { } header)
        {
            return null;
        }
        var fit = GptFit.For(header, Device.Size);
        var highest = await Task.Run(() =>
        {
            using var bounce = new BounceBuffer(_buffers);
            var entries = new byte[fit.EntriesBytes];
            ReadRange(fit.PrimaryEntriesLba * GptFit.SectorSize, entries, bounce);
            var crc = Crc32.Compute(entries);
            if (crc != fit.EntriesCrc)
            {
                throw new IOException($"the GPT entry array written at LBA {fit.PrimaryEntriesLba} of {Device.Path} has CRC 0x{crc:x8}, the image's header says 0x{fit.EntriesCrc:x8}: the disk does not hold the image");
            }
            WriteRange(fit.BackupEntriesLba * GptFit.SectorSize, entries, bounce);
            WriteRange(fit.BackupHeaderLba * GptFit.SectorSize, fit.BackupHeader, bounce);
            WriteRange(GptFit.SectorSize, fit.PrimaryHeader, bounce);
            return fit.HighestPartitionLba(entries);
        }, cancellationToken);
        await FlushAsync(cancellationToken);
        var unpartitioned = Math.Max(0, fit.LastUsableLba - Math.Max(highest, 0)) * GptFit.SectorSize;
        return new GptFitResult(fit.GrowthSectors * GptFit.SectorSize, unpartitioned);
    }

    /// <summary>
    /// The last step after the image is complete: flush, then have the kernel re-read the
    /// partition table of a whole disk. A failed re-read is not an error (the reboot reads it
    /// anyway); the result says why it did not happen.
    /// </summary>
    public async ValueTask<FinishResult> FinishAsync(CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken);
        if (!Device.IsBlockDevice)
        {
            return new FinishResult(false, $"{Device.Path} is a file: no partition table to re-read");
        }
        if (File.Exists($"/sys/dev/block/{Device.DeviceNumber}/partition"))
        {
            return new FinishResult(false, $"{Device.Path} is a partition: no partition table of its own");
        }
        try
        {
            Device.RereadPartitionTable();
            return new FinishResult(true, null);
        }
        catch (LibCException e)
        {
            return new FinishResult(false, e.Message + "; the new partitions appear after a reboot");
        }
    }

    private long DiskOffsetOf(FileSpan span) => Layout.Extents[span.FileIndex].DiskOffset + span.FileOffset;

    /// <summary>
    /// Writes <paramref name="data"/> at disk byte <paramref name="start"/>, in whole aligned blocks:
    /// straight from <paramref name="data"/> where its memory is aligned too (the engine's piece
    /// buffers are), through the bounce buffer elsewhere.
    /// </summary>
    private unsafe void WriteRange(long start, ReadOnlySpan<byte> data, BounceBuffer bounce)
    {
        var position = start;
        var end = start + data.Length;
        var consumed = 0;
        fixed (byte* source = data)
        {
            while (position < end)
            {
                var blockStart = position - (position % _blockSize);
                if (position != blockStart || end - blockStart < _blockSize)
                {
                    // An edge block: part of it belongs to something else (another extent, another
                    // piece of this one, or bytes the image does not cover and we must keep).
                    var count = (int)(Math.Min(end, blockStart + _blockSize) - position);
                    var buffer = bounce.Get();
                    lock (LockFor(blockStart))
                    {
                        Device.ReadExactly(blockStart, buffer.Pointer, _blockSize);
                        data.Slice(consumed, count).CopyTo(buffer.Span.Slice((int)(position - blockStart), count));
                        Device.WriteExactly(blockStart, buffer.Pointer, _blockSize);
                    }
                    position += count;
                    consumed += count;
                }
                else
                {
                    // Whole blocks, which no other extent or piece shares: no lock needed.
                    var wholeEnd = end - (end % _blockSize);
                    int count;
                    if (IsAligned(source + consumed))
                    {
                        count = (int)(wholeEnd - position);
                        Device.WriteExactly(position, source + consumed, count);
                    }
                    else
                    {
                        var buffer = bounce.Get();
                        count = (int)Math.Min(wholeEnd - position, buffer.Length);
                        data.Slice(consumed, count).CopyTo(buffer.Span);
                        Device.WriteExactly(position, buffer.Pointer, count);
                    }
                    position += count;
                    consumed += count;
                }
            }
        }
    }

    /// <summary>Writes zeros over [start, end) through <see cref="WriteRange"/> (edge blocks read, patched, written back).</summary>
    private void WriteZeros(long start, long end, BounceBuffer bounce)
    {
        if (end > start)
        {
            WriteRange(start, new byte[end - start], bounce);
        }
    }

    /// <summary>
    /// Reads disk bytes from <paramref name="start"/> into <paramref name="destination"/> through
    /// aligned whole-block reads: straight into <paramref name="destination"/> where both are
    /// aligned, through the bounce buffer for partial blocks and unaligned memory.
    /// </summary>
    private unsafe void ReadRange(long start, Span<byte> destination, BounceBuffer bounce)
    {
        var position = start;
        var end = start + destination.Length;
        var filled = 0;
        fixed (byte* target = destination)
        {
            while (position < end)
            {
                var whole = (end - position) / _blockSize * _blockSize;
                if (position % _blockSize == 0 && whole > 0 && IsAligned(target + filled))
                {
                    Device.ReadExactly(position, target + filled, (int)whole);
                    position += whole;
                    filled += (int)whole;
                    continue;
                }
                var buffer = bounce.Get();
                var alignedStart = position - (position % _blockSize);
                var alignedEnd = Math.Min((end + _blockSize - 1) / _blockSize * _blockSize, alignedStart + buffer.Length);
                Device.ReadExactly(alignedStart, buffer.Pointer, (int)(alignedEnd - alignedStart));
                var count = (int)(Math.Min(end, alignedEnd) - position);
                buffer.Span.Slice((int)(position - alignedStart), count).CopyTo(destination.Slice(filled, count));
                position += count;
                filled += count;
            }
        }
    }

    private unsafe bool IsAligned(byte* address) => (nuint)address % (nuint)_blockSize == 0;

    private object LockFor(long blockStart) => _blockLocks[(int)((ulong)(blockStart / _blockSize) % LockStripes)];

    public ValueTask DisposeAsync()
    {
        _buffers.Dispose();
        Device.Dispose();
        return ValueTask.CompletedTask;
    }
}

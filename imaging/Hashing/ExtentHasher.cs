using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using EzioPxe.Imaging.Extents;

namespace EzioPxe.Imaging.Hashing;

/// <summary>
/// SHA-1 piece hashes (BitTorrent v1) over the concatenation of the extents, in order — the
/// content of a multi-file torrent whose files are the extents, with no padding files. One
/// thread reads large sequential chunks (holes of a sparse image come back as zeros without
/// I/O) while the pieces of the previous chunk are hashed on every core, so reading and hashing overlap.
/// </summary>
public static class ExtentHasher
{
    /// <summary>Read chunk: large enough for the disk to stream, a whole number of pieces so no piece straddles two chunks.</summary>
    private const int TargetChunk = 32 << 20;
    private const int Buffers = 3;

    public static byte[] ComputePieceHashes(DiskImage disk, IReadOnlyList<Extent> extents, int pieceLength,
        IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pieceLength, 1);
        var total = extents.Sum(e => e.Length);
        var pieceCount = (int)((total + pieceLength - 1) / pieceLength);
        var hashes = new byte[pieceCount * SHA1.HashSizeInBytes];
        if (total == 0)
        {
            return hashes;
        }
        var chunkSize = (int)Math.Max(pieceLength, TargetChunk / pieceLength * (long)pieceLength);
        using var free = new BlockingCollection<byte[]>();
        using var full = new BlockingCollection<(byte[] Buffer, int Length)>(Buffers);
        for (var i = 0; i < Buffers; i++)
        {
            free.Add(new byte[chunkSize], CancellationToken.None);
        }
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reader = Task.Factory.StartNew(() => ReadChunks(disk, extents, free, full, stop.Token),
            stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        var piece = 0;
        long hashed = 0;
        Exception? failure = null;
        try
        {
            foreach (var (buffer, length) in full.GetConsumingEnumerable(stop.Token))
            {
                // A chunk holds whole pieces: hash them on every core while the reader fills the next chunk.
                var pieces = (length + pieceLength - 1) / pieceLength;
                var first = piece;
                Parallel.For(0, pieces, new ParallelOptions { CancellationToken = stop.Token }, i =>
                {
                    var at = i * pieceLength;
                    var size = Math.Min(pieceLength, length - at);
#pragma warning disable CA5350 // BitTorrent v1 piece hashes are SHA-1 by definition (BEP 3); this is integrity, not security.
                    SHA1.HashData(buffer.AsSpan(at, size), hashes.AsSpan((first + i) * SHA1.HashSizeInBytes, SHA1.HashSizeInBytes));
#pragma warning restore CA5350
                });
                piece += pieces;
                hashed += length;
                progress?.Report(hashed);
                free.Add(buffer, stop.Token);
            }
        }
        catch (Exception e)
        {
            failure = e;
        }
        // Stop the reader (it may be blocked waiting for a free buffer) and wait for it, so no
        // thread outlives the call. Its own failure (a read error) is the one worth reporting;
        // its cancellation is only the echo of ours.
        stop.Cancel();
        try
        {
            reader.Wait(CancellationToken.None);
        }
        catch (AggregateException)
        {
        }
        if (reader.Exception?.InnerException is { } readFailure and not OperationCanceledException)
        {
            ExceptionDispatchInfo.Throw(readFailure);
        }
        if (failure != null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
        if (piece != pieceCount)
        {
            throw new InvalidOperationException($"hashed {piece} pieces, expected {pieceCount}");
        }
        return hashes;
    }

    private static void ReadChunks(DiskImage disk, IReadOnlyList<Extent> extents,
        BlockingCollection<byte[]> free, BlockingCollection<(byte[], int)> full, CancellationToken token)
    {
        try
        {
            var buffer = free.Take(token);
            var filled = 0;
            foreach (var extent in extents)
            {
                var position = extent.Offset;
                while (position < extent.End)
                {
                    var count = (int)Math.Min(buffer.Length - filled, extent.End - position);
                    disk.Read(position, buffer.AsSpan(filled, count));
                    filled += count;
                    position += count;
                    if (filled == buffer.Length)
                    {
                        full.Add((buffer, filled), token);
                        buffer = free.Take(token);
                        filled = 0;
                    }
                }
            }
            if (filled > 0)
            {
                full.Add((buffer, filled), token);
            }
            full.CompleteAdding();
        }
        catch
        {
            full.CompleteAdding();
            throw;
        }
    }
}

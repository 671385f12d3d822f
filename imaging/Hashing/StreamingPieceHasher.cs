using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;

namespace EzioPxe.Imaging.Hashing;

/// <summary>
/// SHA-1 piece hashes of a stream of bytes given in order (<see cref="ITravelSink"/>): the bytes
/// are gathered into batches of whole pieces, and each full batch is hashed on every core by a
/// task of its own while the caller goes on reading. What the scan reads to find zero runs is
/// hashed in the same pass instead of being read again (issue 16: the image was read twice).
/// </summary>
public sealed class StreamingPieceHasher : ITravelSink, IDisposable
{
    private const int TargetBatch = 32 << 20;
    private const int Buffers = 3;

    private readonly int _pieceLength;
    private readonly IProgress<long>? _progress;
    private readonly BlockingCollection<byte[]> _free = new();
    private readonly BlockingCollection<(byte[] Buffer, int Length)> _full = new(Buffers);
    private readonly List<byte[]> _hashes = new();
    private readonly Task _hashing;
    private readonly CancellationTokenSource _stop = new();
    private byte[]? _batch;
    private int _filled;
    private long _next;
    private bool _completed;

    public StreamingPieceHasher(int pieceLength, IProgress<long>? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(pieceLength, 1);
        _pieceLength = pieceLength;
        _progress = progress;
        var batchSize = (int)Math.Max(pieceLength, TargetBatch / pieceLength * (long)pieceLength);
        for (var i = 0; i < Buffers; i++)
        {
            _free.Add(new byte[batchSize]);
        }
        _hashing = Task.Factory.StartNew(HashBatches, _stop.Token, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    public int PieceLength => _pieceLength;

    /// <summary>Bytes given so far.</summary>
    public long Length { get; private set; }

    public void Data(long offset, ReadOnlySpan<byte> bytes)
    {
        Advance(offset, bytes.Length);
        while (bytes.Length > 0)
        {
            var batch = Batch();
            var count = Math.Min(bytes.Length, batch.Length - _filled);
            bytes[..count].CopyTo(batch.AsSpan(_filled));
            Filled(count);
            bytes = bytes[count..];
        }
    }

    /// <summary>Fills a buffer with the bytes at an offset (<see cref="DiskImage.Read(long, Span{byte})"/>).</summary>
    public delegate void ReadAt(long offset, Span<byte> destination);

    /// <summary>Reads <paramref name="length"/> bytes at <paramref name="offset"/> with <paramref name="read"/> straight into the batch (no copy of ours).</summary>
    public void Read(long offset, long length, ReadAt read, CancellationToken cancellationToken = default)
    {
        Advance(offset, length);
        while (length > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = Batch();
            var count = (int)Math.Min(length, batch.Length - _filled);
            read(offset, batch.AsSpan(_filled, count));
            Filled(count);
            offset += count;
            length -= count;
        }
    }

    public void Zeros(long offset, long length)
    {
        Advance(offset, length);
        while (length > 0)
        {
            var batch = Batch();
            var count = (int)Math.Min(length, batch.Length - _filled);
            batch.AsSpan(_filled, count).Clear();
            Filled(count);
            length -= count;
        }
    }

    /// <summary>Hashes what is left (the last piece may be short) and returns every piece's hash in order.</summary>
    public byte[] Complete()
    {
        if (!_completed)
        {
            _completed = true;
            if (_filled > 0)
            {
                _full.Add((_batch!, _filled), _stop.Token);
                _batch = null;
                _filled = 0;
            }
            _full.CompleteAdding();
        }
        try
        {
            _hashing.Wait();
        }
        catch (AggregateException e) when (e.InnerException != null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException);
        }
        return _hashes.SelectMany(h => h).ToArray();
    }

    /// <summary>The stream must be given in order, each byte once: a scan that went back would hash the wrong content.</summary>
    private void Advance(long offset, long length)
    {
        if (_completed)
        {
            throw new InvalidOperationException("the hashes were already taken");
        }
        if (offset < _next)
        {
            throw new InvalidOperationException($"travelling bytes at {offset} came after bytes up to {_next}: not in disk order");
        }
        _next = offset + length;
        Length += length;
    }

    private byte[] Batch() => _batch ??= _free.Take(_stop.Token);

    private void Filled(int count)
    {
        _filled += count;
        if (_filled == _batch!.Length)
        {
            _full.Add((_batch, _filled), _stop.Token);
            _batch = null;
            _filled = 0;
        }
    }

    private void HashBatches()
    {
        try
        {
            HashEachBatch();
        }
        catch
        {
            // The reader must not wait forever on a buffer this task would have given back.
            _stop.Cancel();
            throw;
        }
    }

    private void HashEachBatch()
    {
        long hashed = 0;
        foreach (var (buffer, length) in _full.GetConsumingEnumerable(_stop.Token))
        {
            var pieces = (length + _pieceLength - 1) / _pieceLength;
            var hashes = new byte[pieces * SHA1.HashSizeInBytes];
            Parallel.For(0, pieces, new ParallelOptions { CancellationToken = _stop.Token }, i =>
            {
                var at = i * _pieceLength;
#pragma warning disable CA5350 // BitTorrent v1 piece hashes are SHA-1 by definition (BEP 3); this is integrity, not security.
                SHA1.HashData(buffer.AsSpan(at, Math.Min(_pieceLength, length - at)), hashes.AsSpan(i * SHA1.HashSizeInBytes, SHA1.HashSizeInBytes));
#pragma warning restore CA5350
            });
            _hashes.Add(hashes);
            hashed += length;
            _progress?.Report(hashed);
            _free.Add(buffer, _stop.Token);
        }
    }

    /// <summary>Stops the hashing task (a scan that failed midway) and waits for it, so no thread outlives the hasher.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        _full.CompleteAdding();
        try
        {
            _hashing.Wait();
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
        _free.Dispose();
        _full.Dispose();
    }
}

using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using EzioPxe.Contracts;
using EzioPxe.Contracts.Capture;
using Microsoft.Win32.SafeHandles;

namespace EzioPxe.Server.Capture;

/// <summary>
/// One capture in progress: the sparse partial image the ranges are written into, and the set of
/// ranges received. Only the ranges <see cref="CaptureProtocol.Ranges"/> cuts from the plan are
/// accepted, each once its SHA-256 matches; each is flushed to disk before the log records it, so
/// after a dropped connection or a server restart the log says exactly what is safely stored.
/// </summary>
public sealed class CaptureSession : IDisposable
{
    private readonly Dictionary<long, long> _expected;
    private readonly HashSet<long> _received = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SafeFileHandle? _data;
    private long _receivedBytes;

    private CaptureSession(CaptureFiles files, CapturePlan plan, SafeFileHandle data)
    {
        Files = files;
        Plan = plan;
        _data = data;
        _expected = CaptureProtocol.Ranges(plan.Extents).ToDictionary(r => r.Offset, r => r.Length);
    }

    public CaptureFiles Files { get; }

    public CapturePlan Plan { get; }

    public DateTime LastUsed { get; private set; } = DateTime.UtcNow;

    public bool IsComplete => _received.Count == _expected.Count;

    /// <summary>Resumes the capture on disk when its plan is the same disk (size and extents); otherwise starts it afresh.</summary>
    public static CaptureSession Open(CaptureFiles files, CapturePlan plan)
    {
        var resumable = File.Exists(files.Partial) && File.Exists(files.Plan) && SamePlan(ReadPlan(files.Plan), plan);
        if (!resumable)
        {
            File.Delete(files.Log);
            File.WriteAllText(files.Plan, JsonSerializer.Serialize(plan with { Overwrite = false }, ContractsJsonContext.Default.CapturePlan));
        }
        var data = File.OpenHandle(files.Partial, resumable ? FileMode.Open : FileMode.Create, FileAccess.ReadWrite, FileShare.Read);
        try
        {
            RandomAccess.SetLength(data, plan.DiskSize);
            var session = new CaptureSession(files, plan, data);
            if (resumable)
            {
                session.ReadLog();
            }
            return session;
        }
        catch
        {
            data.Dispose();
            throw;
        }
    }

    public CaptureStatus Status() => new()
    {
        Name = Files.Name,
        Received = _received.Order().Select(o => new CaptureRange(o, _expected[o])).ToList(),
        ReceivedBytes = _receivedBytes,
    };

    /// <summary>Writes one range after checking that the plan has it and that its SHA-256 matches.</summary>
    public async Task AcceptAsync(long offset, ReadOnlyMemory<byte> body, string sha256Hex, CancellationToken cancellationToken)
    {
        if (!_expected.TryGetValue(offset, out var length))
        {
            throw new CaptureException(400, $"no range of the plan starts at {offset} (ranges are the plan's extents cut into {CaptureProtocol.MaxRangeBytes}-byte pieces)");
        }
        if (body.Length != length)
        {
            throw new CaptureException(400, $"the range at {offset} is {length} bytes, the body has {body.Length}");
        }
        var actual = Convert.ToHexStringLower(SHA256.HashData(body.Span));
        if (!string.Equals(actual, sha256Hex, StringComparison.OrdinalIgnoreCase))
        {
            throw new CaptureException(400, $"SHA-256 of the range at {offset} is {actual}, the client said {sha256Hex}: damaged in transit; send it again");
        }
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var data = _data ?? throw new CaptureException(409, "this capture is closed");
            LastUsed = DateTime.UtcNow;
            if (_received.Contains(offset))
            {
                return; // A resend after a reply that was lost: already stored.
            }
            await RandomAccess.WriteAsync(data, body, offset, cancellationToken);
            RandomAccess.FlushToDisk(data);
            await File.AppendAllTextAsync(Files.Log, string.Create(CultureInfo.InvariantCulture, $"{offset} {length} {actual}\n"), cancellationToken);
            _received.Add(offset);
            _receivedBytes += length;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Closes the partial image (for the final checks) and forgets the session.</summary>
    public void Close()
    {
        _gate.Wait();
        try
        {
            _data?.Dispose();
            _data = null;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        _data?.Dispose();
        _gate.Dispose();
    }

    private void ReadLog()
    {
        if (!File.Exists(Files.Log))
        {
            return;
        }
        foreach (var line in File.ReadLines(Files.Log))
        {
            // A line cut short by a crash is simply not counted: that range is sent again.
            var parts = line.Split(' ');
            if (parts.Length == 3
                && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var length)
                && parts[2].Length == 64
                && _expected.TryGetValue(offset, out var expected) && expected == length
                && _received.Add(offset))
            {
                _receivedBytes += length;
            }
        }
    }

    private static CapturePlan? ReadPlan(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), ContractsJsonContext.Default.CapturePlan);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static bool SamePlan(CapturePlan? a, CapturePlan b) =>
        a != null && a.DiskSize == b.DiskSize && a.Extents.SequenceEqual(b.Extents);
}

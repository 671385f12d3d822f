using System.Collections.Concurrent;
using EzioPxe.Contracts.Machines;
using EzioPxe.Contracts.Progress;
using EzioPxe.Server.Configuration;

namespace EzioPxe.Server.Status;

/// <summary>
/// Every machine that reported progress, by MAC, and the "room done" rule: a job's room is done
/// when every machine that reported it has its image (seeding or done) — or, when the job sets
/// ExpectedMachines, once that many have it. Machines that failed, or went silent for
/// <see cref="LostAfter"/>, do not hold the room back: they will never finish.
/// </summary>
public sealed class MachineRegistry(ServerSettings settings, TimeProvider? time = null)
{
    public static readonly TimeSpan LostAfter = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, MachineRecord> _machines = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public DateTime Now => _time.GetUtcNow().UtcDateTime;

    /// <summary>More machines than any site has: beyond this, reports with made-up MACs are refused.</summary>
    public const int MaxMachines = 10_000;

    /// <summary>Records a report; the reply says whether the reporter's room is done. Null when <see cref="MaxMachines"/> are known and this one is new.</summary>
    public ProgressReply? Record(MacAddress mac, ProgressReport report, string? remoteAddress)
    {
        var now = Now;
        var key = mac.ToString();
        if (_machines.Count >= MaxMachines && !_machines.ContainsKey(key))
        {
            return null;
        }
        _machines.AddOrUpdate(key,
            _ => new MachineRecord(key, report, remoteAddress, now, now),
            (_, old) => old with { Report = report, RemoteAddress = remoteAddress, LastSeen = now });
        return new ProgressReply { RoomDone = report.Job != null && IsRoomDone(report.Job) };
    }

    public IReadOnlyList<MachineRecord> Machines => _machines.Values.OrderBy(m => m.Mac, StringComparer.Ordinal).ToList();

    public bool IsLost(MachineRecord machine) => Now - machine.LastSeen > LostAfter;

    public bool IsRoomDone(string job)
    {
        var members = _machines.Values.Where(m => string.Equals(m.Report.Job, job, StringComparison.OrdinalIgnoreCase)).ToList();
        var finished = members.Count(m => m.HasImage);
        var expected = settings.Jobs.TryGetValue(job, out var options) ? options.ExpectedMachines : 0;
        if (expected > 0)
        {
            return finished >= expected;
        }
        var waitingFor = members.Count(m => !m.HasImage && m.Report.State != ProgressStates.Failed && !IsLost(m));
        return finished > 0 && waitingFor == 0;
    }

    /// <summary>(finished, reporting) machines of a job.</summary>
    public (int Finished, int Reporting) Count(string job)
    {
        var members = _machines.Values.Where(m => string.Equals(m.Report.Job, job, StringComparison.OrdinalIgnoreCase)).ToList();
        return (members.Count(m => m.HasImage), members.Count);
    }
}

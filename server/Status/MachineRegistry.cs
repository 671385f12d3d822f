using System.Net;
using EzioPxe.Contracts.Machines;
using EzioPxe.Contracts.Progress;
using EzioPxe.Server.Configuration;

namespace EzioPxe.Server.Status;

/// <summary>
/// Every machine that reported progress, by MAC, and the "room done" rule: a job's room is done
/// when every machine that reported it has its image (seeding or done) — or, when the job sets
/// ExpectedMachines, once that many have it. Machines that failed, or went silent for
/// <see cref="LostAfter"/>, do not hold the room back: they will never finish.
/// Any LAN host may send reports, so the table is bounded: in total, per source address, in
/// time (<see cref="ForgetAfter"/>) and in the length of every text it keeps.
/// </summary>
public sealed class MachineRegistry(ServerSettings settings, TimeProvider? time = null)
{
    public static readonly TimeSpan LostAfter = TimeSpan.FromSeconds(60);

    /// <summary>A machine silent this long is forgotten: the morning's room is still on the page in the afternoon.</summary>
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromHours(12);

    /// <summary>More machines than any site has.</summary>
    public const int MaxMachines = 10_000;

    /// <summary>Longest hostname, address or job kept from a report; longer ones are cut.</summary>
    public const int MaxTextLength = 255;

    /// <summary>Longest error kept from a report (one line for the page and the log).</summary>
    public const int MaxErrorLength = 1024;

    private readonly Dictionary<string, MachineRecord> _machines = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private DateTime _lastPrune = DateTime.MinValue;

    public DateTime Now => _time.GetUtcNow().UtcDateTime;

    /// <summary>
    /// Records an authenticated report of <paramref name="mac"/> in room <paramref name="job"/>
    /// from <paramref name="source"/> (the TCP peer). The reply says whether that room is done.
    /// </summary>
    public RecordOutcome Record(MacAddress mac, string job, ProgressReport report, IPAddress source)
    {
        var now = Now;
        var key = mac.ToString();
        var address = (source.IsIPv4MappedToIPv6 ? source.MapToIPv4() : source).ToString();
        var kept = Sanitize(report);
        bool changed;
        lock (_lock)
        {
            PruneForgotten(now);
            if (_machines.TryGetValue(key, out var old))
            {
                // An active machine keeps its address (DHCP gives it the same one): another host
                // cannot overwrite it. Once silent for LostAfter, a new address is believed.
                if (old.RemoteAddress != address && now - old.LastSeen <= LostAfter)
                {
                    return RecordOutcome.Refused(403, $"machine {key} reports from {old.RemoteAddress}, not from {address}");
                }
                changed = old.Report.State != kept.State;
            }
            else
            {
                // Server:MachinesPerAddress: one host flooding made-up MACs only churns its own entries.
                var fromAddress = _machines.Values.Where(m => m.RemoteAddress == address).ToList();
                if (fromAddress.Count >= settings.Server.MachinesPerAddress)
                {
                    _machines.Remove(fromAddress.MinBy(m => m.LastSeen)!.Mac);
                }
                if (_machines.Count >= MaxMachines)
                {
                    var stalest = _machines.Values.MinBy(m => m.LastSeen)!;
                    if (now - stalest.LastSeen <= LostAfter)
                    {
                        return RecordOutcome.Refused(503, $"this server already follows {MaxMachines} machines that are all reporting");
                    }
                    _machines.Remove(stalest.Mac);
                }
                changed = true;
            }
            _machines[key] = new MachineRecord(key, job, kept, address, old?.FirstSeen ?? now, now);
        }
        return new RecordOutcome(new ProgressReply { RoomDone = IsRoomDone(job) }, 200, null, changed);
    }

    /// <summary>The report as kept: texts cut to their caps, the job and address left to the server.</summary>
    private static ProgressReport Sanitize(ProgressReport report) => report with
    {
        Mac = null,
        Key = null,
        Job = null,
        Address = null,
        Hostname = Cut(report.Hostname, MaxTextLength),
        Error = Cut(report.Error?.ReplaceLineEndings(" "), MaxErrorLength),
        Note = Cut(report.Note?.ReplaceLineEndings(" "), MaxErrorLength),
    };

    private static string? Cut(string? text, int length) => text == null || text.Length <= length ? text : text[..length] + "…";

    private void PruneForgotten(DateTime now)
    {
        if (now - _lastPrune < TimeSpan.FromMinutes(1))
        {
            return;
        }
        _lastPrune = now;
        foreach (var forgotten in _machines.Values.Where(m => now - m.LastSeen > ForgetAfter).ToList())
        {
            _machines.Remove(forgotten.Mac);
        }
    }

    public IReadOnlyList<MachineRecord> Machines
    {
        get
        {
            lock (_lock)
            {
                return _machines.Values.OrderBy(m => m.Mac, StringComparer.Ordinal).ToList();
            }
        }
    }

    public bool IsLost(MachineRecord machine) => Now - machine.LastSeen > LostAfter;

    public bool IsRoomDone(string job)
    {
        var members = Members(job);
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
        var members = Members(job);
        return (members.Count(m => m.HasImage), members.Count);
    }

    private List<MachineRecord> Members(string job)
    {
        lock (_lock)
        {
            return _machines.Values.Where(m => string.Equals(m.Job, job, StringComparison.OrdinalIgnoreCase)).ToList();
        }
    }
}

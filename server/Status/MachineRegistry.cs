using System.Net;
using EzioPxe.Contracts.Machines;
using EzioPxe.Contracts.Progress;
using EzioPxe.Server.Configuration;

namespace EzioPxe.Server.Status;

/// <summary>
/// Every machine that reported progress, by MAC, and the "room done" rule: a job's room is done
/// when every machine that reported it has its image (seeding or done) — or, when the job sets
/// ExpectedMachines, once that many have it. Machines that failed, or went silent for
/// <see cref="LostAfter"/>, do not hold the room back: they will never finish. Where a room has
/// expected machines (listed with its job, armed for it, or reporting as such), only they count:
/// machines nobody expected (any host can name a made-up MAC) neither finish a room nor hold it open.
/// Any LAN host may send reports, so the table is bounded: in total, per source address, in
/// time (<see cref="ForgetAfter"/>) and in the length of every text it keeps.
/// </summary>
/// <param name="hasTasks">Whether a job has deployment tasks (armed or running): its room then has expected machines.</param>
public sealed class MachineRegistry(ServerSettings settings, TimeProvider? time = null, Func<string, bool>? hasTasks = null)
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
    /// from <paramref name="source"/> (the TCP peer). <paramref name="expected"/>: the machine is
    /// listed or has a task (once expected, a machine stays so). The reply says whether that room is done.
    /// </summary>
    public RecordOutcome Record(MacAddress mac, string job, ProgressReport report, IPAddress source, bool expected = true)
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
            _machines[key] = new MachineRecord(key, job, kept, address, old?.FirstSeen ?? now, now, expected || old?.Expected == true);
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

    /// <summary>(finished, reporting) machines of a job, of those that decide its room.</summary>
    public (int Finished, int Reporting) Count(string job)
    {
        var members = Members(job);
        return (members.Count(m => m.HasImage), members.Count);
    }

    /// <summary>
    /// The machines that decide a room: its expected ones when it has any (a reporting one, a
    /// machine listed with the job, or a task for it), else every machine that reported the job.
    /// </summary>
    private List<MachineRecord> Members(string job)
    {
        List<MachineRecord> all;
        lock (_lock)
        {
            all = _machines.Values.Where(m => string.Equals(m.Job, job, StringComparison.OrdinalIgnoreCase)).ToList();
        }
        var expectsMachines = all.Any(m => m.Expected)
            || settings.Machines.Values.Any(m => string.Equals(m.Job, job, StringComparison.OrdinalIgnoreCase))
            || hasTasks?.Invoke(job) == true;
        return expectsMachines ? all.Where(m => m.Expected).ToList() : all;
    }
}

using EzioPxe.Contracts.Machines;
using EzioPxe.Contracts.Progress;
using EzioPxe.Server.Configuration;
using EzioPxe.Server.Tasks;

namespace EzioPxe.Server.Status;

/// <summary>
/// One status row per machine the server knows of: listed in the configuration, armed, seen at
/// network boot, or reporting. Its state is whatever happened last: a boot request (booting,
/// waiting) or a report (checking … done, failed, lost); a listed machine not seen yet is armed or
/// idle. Rates are shown only while they mean something: not for done, failed, lost or waiting machines.
/// </summary>
public static class MachineRows
{
    /// <summary>From boot request to first report takes a minute or two (firmware, kernel, drivers, DHCP); beyond this the machine is lost.</summary>
    public static readonly TimeSpan BootingLostAfter = TimeSpan.FromMinutes(5);

    /// <param name="bootPath">How a machine last network-booted (the DHCP server's boot path log), by MAC; null when unknown.</param>
    public static List<MachineStatus> Build(ServerSettings settings, MachineRegistry registry, BootSightings sightings, TaskStore tasks, DateTime now,
        Func<string, string?>? bootPath = null)
    {
        var reports = registry.Machines.ToDictionary(m => m.Mac, StringComparer.Ordinal);
        var seen = sightings.All.ToDictionary(s => s.Mac, StringComparer.Ordinal);
        var armed = tasks.Tasks.ToDictionary(t => t.Mac, StringComparer.Ordinal);
        var macs = new SortedSet<string>(StringComparer.Ordinal);
        macs.UnionWith(settings.Machines.Keys.Select(m => m.ToString()));
        macs.UnionWith(reports.Keys);
        macs.UnionWith(seen.Keys);
        macs.UnionWith(armed.Keys);
        return macs.Select(mac => Row(mac, settings, registry, reports.GetValueOrDefault(mac), seen.GetValueOrDefault(mac), armed.GetValueOrDefault(mac), now) with { BootPath = bootPath?.Invoke(mac) }).ToList();
    }

    private static MachineStatus Row(string mac, ServerSettings settings, MachineRegistry registry, MachineRecord? record, BootSighting? sighting, DeployTask? task, DateTime now)
    {
        var listed = MacAddress.TryParse(mac, out var address) ? settings.Machines.GetValueOrDefault(address) : null;
        var report = record?.Report;
        var last = Max(record?.LastSeen, sighting?.LastSeen);
        string state;
        if (task is { State: TaskStates.Armed } && (last == null || last < task.ArmedAt))
        {
            state = MachineStates.Armed;
        }
        else if (sighting != null && (record == null || sighting.LastSeen > record.LastSeen)
            && !(sighting.Phase == MachineStates.Waiting && report?.State == ProgressStates.Done))
        {
            // A machine that booted its disk after its deployment finished stays "done".
            state = sighting.Phase;
            if (state == MachineStates.Booting && now - sighting.LastSeen > BootingLostAfter)
            {
                // Sent the deploy kernel, then nothing: it hung in firmware or kernel, or was switched off.
                state = MachineStates.Lost;
            }
        }
        else if (record != null)
        {
            state = registry.IsLost(record) && report!.State is not (ProgressStates.Done or ProgressStates.Failed) ? MachineStates.Lost : report!.State;
        }
        else
        {
            state = MachineStates.Idle;
        }
        var active = state is ProgressStates.Starting or ProgressStates.Checking or ProgressStates.Downloading or ProgressStates.Seeding;
        var job = task?.Job ?? record?.Job ?? listed?.Job;
        return new MachineStatus
        {
            Mac = mac,
            Name = listed?.Name,
            Address = record?.RemoteAddress,
            Job = job,
            State = state,
            Percent = report is { BytesTotal: > 0 } ? Math.Round(100.0 * report.BytesDone / report.BytesTotal, 1) : 0,
            // As MachineRegistry kept it (no key, MAC, job or claimed address), showing rates only while they mean something.
            Report = report == null ? null : report with
            {
                DownloadRate = active && state != ProgressStates.Seeding ? report.DownloadRate : 0,
                UploadRate = active ? report.UploadRate : 0,
                Peers = active ? report.Peers : 0,
                EtaSeconds = active && state != ProgressStates.Seeding ? report.EtaSeconds : null,
                Error = state == ProgressStates.Failed ? report.Error : null,
            },
            SecondsSinceReport = last is { } at ? Math.Round((now - at).TotalSeconds, 1) : null,
            Listed = listed != null,
            Task = task?.State,
        };
    }

    private static DateTime? Max(DateTime? a, DateTime? b) => a == null ? b : b == null ? a : a > b ? a : b;
}

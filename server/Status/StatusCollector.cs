using EzioPxe.Contracts.Machines;
using EzioPxe.Contracts.Progress;
using EzioPxe.Server.Configuration;
using EzioPxe.Server.NetBoot;
using EzioPxe.Server.Seeding;
using EzioPxe.Server.Tracker;

namespace EzioPxe.Server.Status;

/// <summary>Gathers <see cref="ServerStatus"/> from the seeder, the tracker and the machines' reports.</summary>
public sealed class StatusCollector(ServerSettings settings, OriginSeeder seeder, TrackerService tracker, MachineRegistry machines, BootPathLog? bootPaths = null)
{
    private readonly DateTime _startedAt = DateTime.UtcNow;

    public ServerStatus Collect()
    {
        var now = machines.Now;
        var images = seeder.Seeded.Select(s =>
        {
            var session = s.Session.GetStatus();
            var counts = tracker.Find(s.Image.Torrent.InfoHash)?.Scrape(DateTime.UtcNow, tracker.PeerTimeout) ?? default;
            return new ImageStatus
            {
                Name = s.Image.Name,
                InfoHash = s.Image.Torrent.InfoHash.ToHex(),
                Bytes = s.Image.Torrent.Info.TotalLength,
                Extents = s.Image.Torrent.Info.Files.Count,
                Uploaded = session.Uploaded,
                UploadRate = (long)session.UploadRate,
                Peers = session.Peers,
                Seeders = counts.Complete,
                Leechers = counts.Incomplete,
                Completed = counts.Downloaded,
            };
        }).ToList();
        var jobs = settings.Jobs.Select(j =>
        {
            var (finished, reporting) = machines.Count(j.Key);
            return new JobStatus
            {
                Name = j.Key,
                Image = j.Value.Image!,
                Reporting = reporting,
                Finished = finished,
                Expected = j.Value.ExpectedMachines,
                RoomDone = machines.IsRoomDone(j.Key),
            };
        }).ToList();
        var machineList = machines.Machines.Select(m =>
        {
            var r = m.Report;
            var configured = MacAddress.TryParse(m.Mac, out var mac) ? settings.Machines.GetValueOrDefault(mac) : null;
            return new MachineStatus
            {
                Mac = m.Mac,
                Name = configured?.Name,
                Hostname = r.Hostname,
                Address = m.RemoteAddress,
                Job = m.Job,
                State = machines.IsLost(m) && r.State is not (ProgressStates.Done or ProgressStates.Failed) ? MachineStates.Lost : r.State,
                BytesDone = r.BytesDone,
                BytesTotal = r.BytesTotal,
                Percent = r.BytesTotal > 0 ? Math.Round(100.0 * r.BytesDone / r.BytesTotal, 1) : 0,
                DownloadRate = r.DownloadRate,
                UploadRate = r.UploadRate,
                Peers = r.Peers,
                EtaSeconds = r.EtaSeconds,
                Error = r.Error,
                SecondsSinceReport = Math.Round((now - m.LastSeen).TotalSeconds, 1),
                BootPath = bootPaths?.Find(m.Mac)?.Describe(),
            };
        }).ToList();
        return new ServerStatus { Time = DateTime.UtcNow, StartedAt = _startedAt, Images = images, Jobs = jobs, Machines = machineList };
    }
}

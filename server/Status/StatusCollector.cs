using EzioPxe.Server.Configuration;
using EzioPxe.Server.NetBoot;
using EzioPxe.Server.Seeding;
using EzioPxe.Server.Tasks;
using EzioPxe.Server.Tracker;

namespace EzioPxe.Server.Status;

/// <summary>Gathers <see cref="ServerStatus"/> from the seeder, the tracker and the machines' reports.</summary>
public sealed class StatusCollector(ServerSettings settings, OriginSeeder seeder, TrackerService tracker, MachineRegistry machines,
    BootSightings sightings, MachineLifecycle lifecycle, BootPathLog? bootPaths = null)
{
    /// <summary>Finished deployments sent with each status (the whole history is in DataDirectory/history.json).</summary>
    public const int HistoryShown = 50;

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
        var machineList = MachineRows.Build(settings, machines, sightings, lifecycle.Tasks, now, mac => bootPaths?.Find(mac)?.Describe());
        return new ServerStatus
        {
            Time = DateTime.UtcNow, StartedAt = _startedAt, Images = images, Jobs = jobs, Machines = machineList,
            History = lifecycle.History.Latest(HistoryShown), AnyMachineJob = lifecycle.Tasks.AnyMachine?.Job,
        };
    }
}

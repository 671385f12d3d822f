using EzioPxe.Contracts.Capture;
using EzioPxe.Contracts.Jobs;
using EzioPxe.Imaging;
using EzioPxe.Imaging.Hashing;
using EzioPxe.Imaging.Torrent;
using EzioPxe.Server.Configuration;
using EzioPxe.Server.Seeding;
using Microsoft.Extensions.Logging;

namespace EzioPxe.Server.Capture;

/// <summary>
/// The captures the server receives (docs/capture.md). Each ends as NAME.img (sparse) and
/// NAME.torrent in Server:CaptureDirectory, the torrent made from the stored image exactly as
/// `eziopxe image create` makes it. A complete image is never replaced unless the plan says
/// overwrite or Server:CaptureOverwrite is set. At most <see cref="MaxOpenSessions"/> captures
/// are open at once (any host on the LAN may ask); an idle one is closed to make room, and
/// resumes from its files when its machine comes back.
/// </summary>
public sealed class CaptureStore : IDisposable
{
    public const int MaxOpenSessions = 8;

    /// <summary>A plan's extent list is bounded: a scan of a real disk gives thousands, not millions.</summary>
    public const int MaxExtents = 1_000_000;

    private readonly Dictionary<string, CaptureSession> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly ServerSettings _settings;
    private readonly ILogger<CaptureStore> _logger;

    public CaptureStore(ServerSettings settings, ILogger<CaptureStore> logger)
    {
        _settings = settings;
        _logger = logger;
        Directory = CaptureFiles.DirectoryOf(settings.Server);
    }

    public string Directory { get; }

    /// <summary>Starts or resumes a capture; answers what the server already holds.</summary>
    public CaptureStatus Begin(string name, CapturePlan plan, string? from)
    {
        CheckName(name);
        Check(plan);
        var files = new CaptureFiles(Directory, name);
        lock (_lock)
        {
            if (File.Exists(files.Image) && !plan.Overwrite && !_settings.Server.CaptureOverwrite)
            {
                throw new CaptureException(409,
                    $"image '{name}' exists ({files.Image}); capture under another name, or set ezio.overwrite=yes (or Server:CaptureOverwrite) to replace it");
            }
            if (_sessions.Remove(name, out var previous))
            {
                previous.Dispose(); // The same machine starting again: reopen from the files.
            }
            MakeRoom();
            System.IO.Directory.CreateDirectory(Directory);
            var session = CaptureSession.Open(files, plan);
            _sessions[name] = session;
            var status = session.Status();
            _logger.LogInformation("capture {Name} from {From} ({Mac}): {Extents} extents, {Bytes} bytes of a {DiskSize}-byte disk; {Have} bytes already here",
                name, from, plan.Mac ?? "?", plan.Extents.Count, plan.Extents.Sum(e => e.Length), plan.DiskSize, status.ReceivedBytes);
            return status;
        }
    }

    public CaptureSession Session(string name)
    {
        lock (_lock)
        {
            return _sessions.TryGetValue(name, out var session)
                ? session
                : throw new CaptureException(409, $"no capture '{name}' in progress: POST its plan to /captures/{name} first");
        }
    }

    /// <summary>
    /// Checks every range arrived, scans the stored image with the same scanner as `image create`
    /// (it must find exactly the plan's extents: an end-to-end check of what arrived), hashes it
    /// and writes the torrent, then moves the image into place.
    /// </summary>
    public CaptureStatus Complete(string name, CancellationToken cancellationToken)
    {
        var session = Session(name);
        if (!session.IsComplete)
        {
            var status = session.Status();
            throw new CaptureException(409, $"capture '{name}' is missing ranges: {status.ReceivedBytes} of {session.Plan.Extents.Sum(e => e.Length)} bytes received");
        }
        lock (_lock)
        {
            _sessions.Remove(name);
        }
        session.Close();
        using var _ = session;
        var files = session.Files;
        byte[] torrent;
        string infoHash;
        using (var disk = DiskImage.Open(files.Partial))
        {
            var (scan, piece, hashes, _) = ImageHashing.ScanAndHash(disk, cancellationToken: cancellationToken);
            var planned = session.Plan.Extents.Select(e => new Imaging.Extents.Extent(e.Offset, e.Length)).ToList();
            // The plan is every byte the machine's scan defined (DiskScan.DefinedExtents): the copy
            // must scan to the same, or the torrent would not be the image of that disk.
            if (!scan.DefinedExtents.SequenceEqual(planned))
            {
                throw new CaptureException(422,
                    $"the stored image of '{name}' scans to {scan.DefinedExtents.Count} defined extents ({scan.DefinedExtents.Sum(e => e.Length)} bytes) but the machine's disk had {planned.Count} ({planned.Sum(e => e.Length)} bytes): the disk changed during the capture or data was lost; capture again");
            }
            torrent = ImageTorrent.Build(scan, name, piece, hashes, ImageCatalog.DefaultAnnounceUrl(_settings));
            infoHash = Engine.Metainfo.Torrent.Parse(torrent).InfoHash.ToHex();
        }
        if (File.Exists(files.Image) && !session.Plan.Overwrite && !_settings.Server.CaptureOverwrite)
        {
            throw new CaptureException(409, $"image '{name}' appeared while capturing; not replacing it (ezio.overwrite=yes replaces)");
        }
        // The image first, then the torrent, so the torrent is the newer file (the catalog remakes a torrent older than its image).
        File.Move(files.Partial, files.Image, overwrite: true);
        var temporary = files.Torrent + ".new";
        File.WriteAllBytes(temporary, torrent);
        File.Move(temporary, files.Torrent, overwrite: true);
        File.Delete(files.Plan);
        File.Delete(files.Log);
        _logger.LogInformation("capture {Name} complete: {Image}, torrent {Torrent}, info-hash {InfoHash}", name, files.Image, files.Torrent, infoHash);
        return new CaptureStatus
        {
            Name = name,
            Complete = true,
            ReceivedBytes = session.Plan.Extents.Sum(e => e.Length),
            InfoHash = infoHash,
            ImagePath = files.Image,
            TorrentPath = files.Torrent,
        };
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var session in _sessions.Values)
            {
                session.Dispose();
            }
            _sessions.Clear();
        }
    }

    private void MakeRoom()
    {
        while (_sessions.Count >= MaxOpenSessions)
        {
            var oldest = _sessions.MinBy(s => s.Value.LastUsed);
            if (DateTime.UtcNow - oldest.Value.LastUsed < TimeSpan.FromMinutes(2))
            {
                throw new CaptureException(503, $"{MaxOpenSessions} captures are running; try again later");
            }
            _sessions.Remove(oldest.Key);
            oldest.Value.Dispose();
        }
    }

    private static void CheckName(string name)
    {
        if (!JobValues.TryParseImageName(name, out _, out var error))
        {
            throw new CaptureException(400, error);
        }
    }

    private static void Check(CapturePlan plan)
    {
        if (plan.DiskSize <= 0)
        {
            throw new CaptureException(400, $"diskSize: {plan.DiskSize} is not a disk size");
        }
        if (plan.Extents.Count is 0 or > MaxExtents)
        {
            throw new CaptureException(400, $"extents: {plan.Extents.Count}; a plan has 1 to {MaxExtents}");
        }
        long end = 0;
        foreach (var extent in plan.Extents)
        {
            if (extent.Offset < end || extent.Length <= 0 || extent.End > plan.DiskSize)
            {
                throw new CaptureException(400, $"extents: [{extent.Offset}, +{extent.Length}) overlaps the previous one, is empty or ends past the disk ({plan.DiskSize} bytes); extents are sorted and disjoint");
            }
            end = extent.End;
        }
    }
}

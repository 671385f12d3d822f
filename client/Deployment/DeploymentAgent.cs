using System.Net.Sockets;
using System.Net;
using EzioPxe.Client.Disk;
using EzioPxe.Client.Job;
using EzioPxe.Client.Progress;
using EzioPxe.Client.Storage;
using EzioPxe.Contracts.Jobs;
using EzioPxe.Contracts.Machines;
using EzioPxe.Contracts.Progress;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Swarm;
using Microsoft.Extensions.Logging;

namespace EzioPxe.Client.Deployment;

/// <summary>
/// One deployment, start to finish: job, torrent, disk, swarm, seeding, flush. It never reboots
/// itself; Program decides that from the outcome, so a failed run never reboots into a half-written disk.
/// </summary>
public sealed class DeploymentAgent(ClientSettings settings, HttpClient http, ILogger logger, TextWriter console)
{
    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(2);

    private ProgressPoster? _poster;
    private ProgressReport _last = new();

    /// <summary>The settings in force: the command line's, completed by the server's job once fetched (ezio.after comes from there).</summary>
    public ClientSettings Settings { get; private set; } = settings;

    /// <summary>The last state reported, for the summary and for error reports.</summary>
    public ProgressReport LastReport => _last;

    public async Task<ProgressReport> RunAsync(CancellationToken cancellationToken)
    {
        var (mac, address) = await IdentifyAsync(cancellationToken);
        _last = new ProgressReport { Mac = mac.ToString(), Address = address, Hostname = Environment.MachineName, Job = Settings.Job, Key = Settings.Key, State = ProgressStates.Starting };
        if (Settings.Server != null)
        {
            _poster = new ProgressPoster(http, new Uri(Settings.Server.BaseUri, "progress"));
        }
        try
        {
            return await DeployAsync(mac, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            _last = _last with { State = ProgressStates.Failed, Error = Describe(e) };
            if (_poster != null)
            {
                await _poster.PostAsync(_last, CancellationToken.None);
            }
            throw;
        }
    }

    private async Task<ProgressReport> DeployAsync(MacAddress mac, CancellationToken cancellationToken)
    {
        var job = Settings;
        var retry = new ServerRetry(job.ServerWaitOrDefault, console);
        if (job.NeedsJobFromServer)
        {
            var url = job.JobUrl(mac);
            console.WriteLine($"fetching job from {url}");
            job = job.WithJob(await retry.RunAsync("job", token => JobClient.FetchAsync(http, url, token), cancellationToken));
            Settings = job;
        }
        _last = _last with { Job = job.Job ?? _last.Job, Key = job.Key };
        if (job.ModeOrDefault == JobMode.Capture)
        {
            _last = await new Capture.CaptureAgent(job, http, console).RunAsync(_last, _poster, cancellationToken);
            return _last;
        }
        var torrentUrl = job.AbsoluteTorrentUrl ?? throw new DeploymentFailedException("the job names no torrent");
        console.WriteLine($"fetching torrent {torrentUrl}");
        var torrent = Torrent.Parse(await retry.RunAsync("torrent", token => http.GetByteArrayAsync(torrentUrl, token), cancellationToken));
        var infoHash = torrent.InfoHash.ToHex();
        if (job.InfoHash != null && !string.Equals(job.InfoHash, infoHash, StringComparison.OrdinalIgnoreCase))
        {
            // ezio.infohash came with the boot menu or the job: a torrent swapped on the way
            // (a rogue server, a changed URL) must not be written to this disk.
            throw new DeploymentFailedException($"the torrent at {torrentUrl} has info-hash {infoHash}, not the job's {job.InfoHash}: refused");
        }

        var selector = new DiskSelector();
        var diskPath = selector.Resolve(job.DiskOrDefault);
        if (job.Partition is int partition)
        {
            diskPath = selector.ResolvePartition(diskPath, partition);
        }
        console.WriteLine($"target disk {diskPath}: {torrent.Info.Files.Count} extents, {ByteSize.Format(torrent.Info.TotalLength)} to write");
        await using var storage = DiskPieceStorage.Open(torrent.Info, diskPath);
        var zeroed = await storage.ZeroRequiredAsync(cancellationToken);
        if (zeroed.Ranges > 0)
        {
            console.WriteLine($"zeroed {ByteSize.Format(zeroed.Bytes)} in {zeroed.Ranges} ranges that must read as zeros (locally: {zeroed.Method})");
        }
        var memory = PieceMemory.For(torrent.Info.PieceLength, PieceMemory.Available());
        console.WriteLine($"memory for pieces: {memory.Download >> 20} MiB in flight, {memory.Cache >> 20} MiB cached for seeding ({torrent.Info.PieceLength >> 10} KiB pieces)");
        await using var listener = new PeerListener(new IPEndPoint(IPAddress.Any, 0), logger);
        await using var session = new TorrentSession(torrent, storage, new SessionOptions
        {
            ExistingData = ExistingData.Check,
            ListenPort = listener.Port,
            DownloadMemory = memory.Download,
            ReadCacheMemory = memory.Cache,
        }, logger);
        listener.Register(session);
        listener.Start();
        await session.StartAsync();

        var progress = ConsoleProgress.ForConsole();
        var reply = await WatchAsync(session, progress, until: () => session.Completion.IsCompleted, cancellationToken);
        await session.Completion; // throws the storage error, if that is why it ended
        console.WriteLine();
        if (await storage.WriteGptAsync(cancellationToken) is { } gpt)
        {
            if (gpt.GrowthBytes == 0)
            {
                console.WriteLine("GPT headers written");
            }
            else
            {
                // On the console and in every later report, so that the status page says it too.
                var note = $"the target is {ByteSize.Format(gpt.GrowthBytes)} larger than the image: backup GPT moved to its end; {ByteSize.Format(gpt.UnpartitionedBytes)} after the last partition is left unpartitioned";
                console.WriteLine(note);
                _last = _last with { Note = note };
            }
        }
        console.WriteLine($"image written and verified in {progress.Elapsed:mm\\:ss}");

        await SeedAsync(job.SeedOrDefault, session, progress, reply, cancellationToken);

        var finish = await storage.FinishAsync(cancellationToken);
        if (finish.Note != null)
        {
            console.WriteLine(finish.Note);
        }
        _last = Report(session, ProgressStates.Done);
        progress.Finish(_last, session.GetStatus().Uploaded);
        if (_poster != null)
        {
            await _poster.PostAsync(_last, cancellationToken);
        }
        return _last;
    }

    /// <summary>Seeds to the rest of the room: until the server says every machine is done, for a while, or not at all.</summary>
    private async Task SeedAsync(SeedPolicy policy, TorrentSession session, ConsoleProgress progress, ProgressReply? lastReply, CancellationToken cancellationToken)
    {
        switch (policy.Mode)
        {
            case SeedMode.None:
                return;
            case SeedMode.ForDuration:
                var until = DateTime.UtcNow + policy.Duration;
                await WatchAsync(session, progress, () => DateTime.UtcNow >= until, cancellationToken);
                return;
            default:
                if (_poster == null)
                {
                    return; // nobody to say the room is done
                }
                if (lastReply is { RoomDone: true } or { Stop: true })
                {
                    return;
                }
                console.WriteLine("seeding to the other machines until the server says the room is done");
                await WatchAsync(session, progress, () => false, cancellationToken, stopOnRoomDone: true);
                return;
        }
    }

    /// <summary>Redraws the progress line every second and reports to the server every two, until <paramref name="until"/> holds.</summary>
    private async Task<ProgressReply?> WatchAsync(TorrentSession session, ConsoleProgress progress, Func<bool> until, CancellationToken cancellationToken, bool stopOnRoomDone = false)
    {
        ProgressReply? reply = null;
        var lastPost = DateTime.MinValue;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        Task<bool>? tick = null;
        while (true)
        {
            var status = session.GetStatus();
            var state = status.IsComplete ? ProgressStates.Seeding : status.PiecesUnchecked > 0 && status.Downloaded == 0 ? ProgressStates.Checking : ProgressStates.Downloading;
            _last = Report(session, state);
            progress.Update(_last);
            if (_poster != null && DateTime.UtcNow - lastPost >= ReportInterval)
            {
                lastPost = DateTime.UtcNow;
                reply = await _poster.PostAsync(_last, cancellationToken) ?? reply;
                if (reply is { Stop: true } && !status.IsComplete)
                {
                    throw new DeploymentCancelledException(CancelledMessage(status.BytesHave, status.BytesTotal));
                }
                if (reply is { Stop: true } || stopOnRoomDone && reply is { RoomDone: true })
                {
                    return reply;
                }
            }
            if (until())
            {
                return reply;
            }
            // PeriodicTimer allows one waiter at a time: a tick still pending is waited for again,
            // never asked for twice. While the download runs, the tick races it: a download that
            // ends first is reported (and, for the download's watch, ends it) at once, not up to a
            // second later; once it is complete (seeding), just wait for the tick.
            tick ??= timer.WaitForNextTickAsync(cancellationToken).AsTask();
            if (!session.Completion.IsCompleted)
            {
                await Task.WhenAny(tick, session.Completion);
                if (session.Completion.IsFaulted)
                {
                    return reply;
                }
                if (!tick.IsCompleted)
                {
                    continue;
                }
            }
            await tick;
            tick = null;
        }
    }

    private ProgressReport Report(TorrentSession session, string state)
    {
        var status = session.GetStatus();
        long? eta = status.DownloadRate > 1 && !status.IsComplete ? (long)((status.BytesTotal - status.BytesHave) / status.DownloadRate) : null;
        return _last with
        {
            State = state,
            BytesDone = status.BytesHave,
            BytesTotal = status.BytesTotal,
            DownloadRate = (long)status.DownloadRate,
            UploadRate = (long)status.UploadRate,
            Peers = status.Peers,
            EtaSeconds = eta,
            Error = null,
        };
    }

    /// <summary>Our MAC (the job is looked up by it) and the address the server sees us at.</summary>
    private async Task<(MacAddress Mac, string? Address)> IdentifyAsync(CancellationToken cancellationToken)
    {
        if (Settings.Server == null)
        {
            return (Settings.Mac ?? default, null);
        }
        try
        {
            var route = await NetworkRoute.FindAsync(Settings.Server.Host, cancellationToken);
            return (Settings.Mac ?? route.Mac, route.LocalAddress.ToString());
        }
        catch (Exception e) when (e is SocketException or IOException or InvalidOperationException)
        {
            if (Settings.Mac != null)
            {
                return (Settings.Mac.Value, null);
            }
            throw new DeploymentFailedException($"cannot find the network interface that reaches {Settings.Server.Host}: {e.Message}", e);
        }
    }

    /// <summary>What the console and the status page say when the server cancels an unfinished deployment.</summary>
    internal static string CancelledMessage(long have, long total) =>
        $"cancelled on the server (eziopxe deploy --cancel) with {ByteSize.Format(have)} of {ByteSize.Format(total)} written: the disk is incomplete";

    /// <summary>One line for the console and the status page: what failed and why, without a stack trace.</summary>
    public static string Describe(Exception e) => e switch
    {
        HttpRequestException http => $"server unreachable or refused: {http.Message}",
        InvalidTorrentException torrent => $"bad torrent: {torrent.Message}",
        _ => e.Message,
    };
}

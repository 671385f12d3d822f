using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using EzioPxe.Client.Deployment;
using EzioPxe.Client.Disk;
using EzioPxe.Client.Job;
using EzioPxe.Client.Progress;
using EzioPxe.Contracts;
using EzioPxe.Contracts.Capture;
using EzioPxe.Contracts.Progress;
using EzioPxe.Imaging;
using EzioPxe.Imaging.Torrent;

namespace EzioPxe.Client.Capture;

/// <summary>
/// A capture job (<c>ezio.mode=capture ezio.image=NAME</c>): scans this machine's disk with the
/// imaging library (used blocks only, as `eziopxe image create`), sends the plan, then every
/// range the server does not hold yet, each with its SHA-256 (<see cref="CaptureProtocol"/>).
/// A dropped connection or a server restart costs only the range in flight: the client waits,
/// sends the plan again and the server answers with what it has. Nothing is written to the disk.
/// </summary>
public sealed class CaptureAgent(ClientSettings settings, HttpClient http, TextWriter console)
{
    /// <summary>How long the server may stay unreachable before the capture gives up.</summary>
    public static TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromMinutes(10);

    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(2);

    public async Task<ProgressReport> RunAsync(ProgressReport last, ProgressPoster? poster, CancellationToken cancellationToken)
    {
        var name = settings.Image ?? throw new DeploymentFailedException("a capture needs ezio.image=NAME");
        var server = settings.Server ?? throw new DeploymentFailedException("a capture needs ezio.server=HOST[:PORT]");
        var diskPath = new DiskSelector().Resolve(settings.DiskOrDefault);
        console.WriteLine($"capturing {diskPath} as image '{name}' on {server.BaseUri}");
        RefuseIfMounted(diskPath);
        using var disk = DiskImage.Open(diskPath);
        var scan = DiskScanner.Scan(disk);
        ImageReport.Write(console, ImageLayout.FromScan(scan), scan.DiskSize, scan.UsedBytes);
        var plan = new CapturePlan
        {
            DiskSize = scan.DiskSize,
            // Zero ranges and GPT header sectors too: the server scans its copy again and must find the same.
            Extents = scan.DefinedExtents.Select(e => new CaptureRange(e.Offset, e.Length)).ToList(),
            Overwrite = settings.OverwriteOrDefault,
            Mac = last.Mac,
        };
        var total = plan.Extents.Sum(e => e.Length);
        last = last with { State = ProgressStates.Capturing, BytesTotal = total, BytesDone = 0, Job = last.Job ?? "capture:" + name };
        var progress = ConsoleProgress.ForConsole();
        var clock = Stopwatch.StartNew();
        var lastPost = -ReportInterval;
        var buffer = new byte[CaptureProtocol.MaxRangeBytes];
        var unreachableSince = (DateTime?)null;
        long sentThisRun = 0;

        while (true)
        {
            try
            {
                var status = await PostPlanAsync(server.BaseUri, name, plan, cancellationToken);
                var have = status.Received.Select(r => r.Offset).ToHashSet();
                var done = status.ReceivedBytes;
                if (done > 0)
                {
                    console.WriteLine($"the server holds {ImageReport.Size(done)} of this capture already; sending the rest");
                }
                foreach (var range in CaptureProtocol.Ranges(plan.Extents).Where(r => !have.Contains(r.Offset)))
                {
                    var data = buffer.AsMemory(0, (int)range.Length);
                    disk.Read(range.Offset, data.Span);
                    await PutRangeAsync(server.BaseUri, name, range.Offset, data, cancellationToken);
                    unreachableSince = null;
                    done += range.Length;
                    sentThisRun += range.Length;
                    var rate = (long)(sentThisRun / Math.Max(clock.Elapsed.TotalSeconds, 0.001));
                    last = last with { BytesDone = done, UploadRate = rate, EtaSeconds = rate > 0 ? (total - done) / rate : null };
                    progress.Update(last);
                    if (poster != null && clock.Elapsed - lastPost >= ReportInterval)
                    {
                        lastPost = clock.Elapsed;
                        if (await poster.PostAsync(last, cancellationToken) is { Stop: true })
                        {
                            // The server keeps what arrived: a capture armed again resumes from there.
                            throw new Deployment.DeploymentCancelledException($"capture cancelled on the server (eziopxe deploy --cancel) with {ImageReport.Size(done)} of {ImageReport.Size(total)} sent");
                        }
                    }
                }
                break;
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                unreachableSince ??= DateTime.UtcNow;
                if (DateTime.UtcNow - unreachableSince > GiveUpAfter)
                {
                    throw new DeploymentFailedException($"the server has been unreachable for {GiveUpAfter.TotalMinutes:0} minutes: {e.Message}", e);
                }
                console.WriteLine($"\nconnection to the server lost ({e.Message}); resuming in 2 s");
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            }
        }

        console.WriteLine();
        console.WriteLine($"sent {ImageReport.Size(sentThisRun)} in {clock.Elapsed:mm\\:ss}; the server checks and hashes the image");
        var result = await CompleteAsync(server.BaseUri, name, cancellationToken);
        console.WriteLine($"image '{name}' stored on the server: {result.ImagePath}, torrent {result.TorrentPath}, info-hash {result.InfoHash}");
        last = last with { State = ProgressStates.Done, BytesDone = total, EtaSeconds = null };
        progress.Finish(last);
        if (poster != null)
        {
            await poster.PostAsync(last, cancellationToken);
        }
        return last;
    }

    /// <summary>
    /// A mounted file system changes under the scan (its bitmap and its blocks at different
    /// moments), so the image would not be consistent. In the initramfs nothing is mounted; this
    /// is for a capture started by hand on a running system.
    /// </summary>
    private static void RefuseIfMounted(string diskPath)
    {
        using var device = BlockDevice.Open(diskPath, writable: false);
        var mounted = new DiskPreflight().FindProblems(device, 0).Where(p => p.Reason == DiskRefusal.Mounted).Select(p => p.Why).ToList();
        if (mounted.Count > 0)
        {
            throw new DeploymentFailedException($"refusing to capture {diskPath}: {string.Join("; ", mounted)} (a mounted file system changes while it is read)");
        }
    }

    private async Task<CaptureStatus> PostPlanAsync(Uri server, string name, CapturePlan plan, CancellationToken cancellationToken)
    {
        using var response = await http.PostAsJsonAsync(new Uri(server, CaptureProtocol.PlanPath(name)), plan, ContractsJsonContext.Default.CapturePlan, cancellationToken);
        await EnsureAcceptedAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.CaptureStatus, cancellationToken)
            ?? throw new DeploymentFailedException("the server answered the capture plan with nothing");
    }

    private async Task PutRangeAsync(Uri server, string name, long offset, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        using var content = new ReadOnlyMemoryContent(data);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(server, CaptureProtocol.RangePath(name, offset))) { Content = content };
        request.Headers.Add(CaptureProtocol.Sha256Header, Convert.ToHexStringLower(SHA256.HashData(data.Span)));
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureAcceptedAsync(response, cancellationToken);
    }

    /// <summary>Completion re-scans and hashes the whole image on the server: no request timeout.</summary>
    private static async Task<CaptureStatus> CompleteAsync(Uri server, string name, CancellationToken cancellationToken)
    {
        using var patient = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var response = await patient.PostAsync(new Uri(server, CaptureProtocol.CompletePath(name)), null, cancellationToken);
        await EnsureAcceptedAsync(response, cancellationToken);
        return await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.CaptureStatus, cancellationToken)
            ?? throw new DeploymentFailedException("the server answered the capture's completion with nothing");
    }

    /// <summary>A refusal (4xx: image exists, bad plan) ends the capture with the server's words; 5xx is retried.</summary>
    private static async Task EnsureAcceptedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var text = (await response.Content.ReadAsStringAsync(cancellationToken)).Trim();
        if ((int)response.StatusCode is >= 400 and < 500)
        {
            throw new DeploymentFailedException($"the server refused the capture ({(int)response.StatusCode}): {text}");
        }
        throw new HttpRequestException($"{(int)response.StatusCode} {text}", null, response.StatusCode);
    }

    private static bool IsTransient(Exception e, CancellationToken cancellationToken) => e switch
    {
        HttpRequestException { StatusCode: null or >= HttpStatusCode.InternalServerError } => true,
        IOException => true,
        TaskCanceledException when !cancellationToken.IsCancellationRequested => true, // a request timeout
        _ => false,
    };
}

using System.Net;
using EzioPxe.Engine.Tracker;
using Microsoft.Extensions.Logging;

namespace EzioPxe.Engine.Swarm;

/// <summary>
/// Announces a session to its trackers: "started" first, then at the tracker's interval, "completed"
/// at once when the last piece is written, "stopped" on the way out. A tracker that fails is retried
/// with back-off; the next URL of the list is tried meanwhile.
/// </summary>
internal sealed class TrackerAnnouncer : IDisposable
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) }) { Timeout = TimeSpan.FromSeconds(15) };
    private readonly TorrentSession _session;
    private readonly ILogger _logger;
    private readonly HttpTrackerClient _client = new(Http);
    private readonly SemaphoreSlim _wake = new(0);
    private TrackerEvent _pending = TrackerEvent.Started;
    private string? _workingUrl;
    private bool _everAnnounced;

    public TrackerAnnouncer(TorrentSession session, ILogger logger)
    {
        _session = session;
        _logger = logger;
    }

    public void Dispose() => _wake.Dispose();

    /// <summary>Peers seen in the last answer; for status and tests.</summary>
    public int LastPeerCount { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var announced = _pending;
                var response = await AnnounceAsync(announced, cancellationToken);
                _pending = TrackerEvent.None;
                _logger.LogDebug("{Torrent}: announced ({Event}) to {Url}: {Count} peers", _session.Torrent.Info.Name, announced, _workingUrl, response.Peers.Count);
                failures = 0;
                LastPeerCount = response.Peers.Count;
                foreach (var peer in response.Peers)
                {
                    _session.AddPeer(peer);
                }
                wait = response.MinInterval is TimeSpan min && min < response.Interval && _session.BytesLeft() > 0 && response.Peers.Count == 0
                    ? min
                    : response.Interval;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is TrackerException or HttpRequestException or OperationCanceledException or IOException)
            {
                failures++;
                wait = TimeSpan.FromSeconds(Math.Min(60, 2 << Math.Min(failures, 5)));
                _logger.LogWarning("{Torrent}: announce failed ({Reason}); retrying in {Seconds} s", _session.Torrent.Info.Name, e.Message, wait.TotalSeconds);
            }
            try
            {
                await _wake.WaitAsync(wait, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Sends "completed" right away instead of at the next interval.</summary>
    public void OnCompleted()
    {
        _pending = TrackerEvent.Completed;
        _wake.Release();
    }

    /// <summary>Best effort: tells the tracker we are gone so it stops handing out our address.</summary>
    public async Task AnnounceStoppedAsync()
    {
        if (!_everAnnounced)
        {
            return;
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await AnnounceAsync(TrackerEvent.Stopped, timeout.Token);
        }
        catch (Exception e) when (e is TrackerException or HttpRequestException or OperationCanceledException or IOException)
        {
            _logger.LogDebug("{Torrent}: stopped announce failed: {Reason}", _session.Torrent.Info.Name, e.Message);
        }
    }

    private async Task<AnnounceResponse> AnnounceAsync(TrackerEvent trackerEvent, CancellationToken cancellationToken)
    {
        var status = _session.GetStatus();
        var request = new AnnounceRequest(_session.InfoHash, _session.PeerId, _session.Options.ListenPort,
            status.Uploaded, status.Downloaded, status.BytesTotal - status.BytesHave, trackerEvent);
        var urls = _session.Torrent.Trackers.Where(u => u.StartsWith("http", StringComparison.OrdinalIgnoreCase)).ToList();
        if (_workingUrl != null)
        {
            urls.Remove(_workingUrl);
            urls.Insert(0, _workingUrl);
        }
        Exception? last = null;
        foreach (var url in urls)
        {
            try
            {
                var response = await _client.AnnounceAsync(url, request, cancellationToken);
                _workingUrl = url;
                _everAnnounced = true;
                return response;
            }
            catch (Exception e) when (e is TrackerException or HttpRequestException or IOException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                last = e;
            }
        }
        throw last ?? new TrackerException("the torrent names no HTTP tracker");
    }
}

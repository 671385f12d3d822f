using System.Globalization;
using System.Net;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Tracker;

namespace EzioPxe.TestSupport;

/// <summary>Debian's opentracker on loopback, whitelisting the given torrents (it runs only with a whitelist).</summary>
public sealed class Opentracker : IDisposable
{
    private readonly BackgroundProcess _process;

    private Opentracker(BackgroundProcess process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string AnnounceUrl => UrlFor(Port);

    public static string UrlFor(int port) => $"http://127.0.0.1:{port}/announce";

    public string Output => _process.Output;

    /// <summary>Starts it on <paramref name="port"/> (reserved with FreePort, since the announce URL goes into the torrent first) with a whitelist file in <paramref name="directory"/>.</summary>
    public static Opentracker Start(string directory, IEnumerable<InfoHash> whitelist, int port)
    {
        var list = Path.Combine(directory, "opentracker-whitelist");
        File.WriteAllLines(list, whitelist.Select(h => h.ToHex()));
        // opentracker drops root and reads its whitelist as another user; temp directories are 0700.
        File.SetUnixFileMode(directory, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(list, (UnixFileMode)0b110_100_100);
        var text = port.ToString(CultureInfo.InvariantCulture);
        var process = BackgroundProcess.Start("opentracker", new[] { "-i", "127.0.0.1", "-p", text, "-P", text, "-w", list });
        return new Opentracker(process, port);
    }

    /// <summary>
    /// Waits until an announce for <paramref name="infoHash"/> is accepted: opentracker loads its
    /// whitelist in a thread of its own after it starts listening. "stopped" is answered without a
    /// whitelist check, so the probe announces "started" and withdraws at once.
    /// </summary>
    public async Task WaitForAsync(InfoHash infoHash)
    {
        using var http = new HttpClient();
        var client = new HttpTrackerClient(http);
        var probe = new AnnounceRequest(infoHash, PeerId.Create(), 1, 0, 0, 1, TrackerEvent.Started);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            try
            {
                await client.AnnounceAsync(AnnounceUrl, probe, CancellationToken.None);
                await client.AnnounceAsync(AnnounceUrl, probe with { Event = TrackerEvent.Stopped }, CancellationToken.None);
                return;
            }
            catch (Exception e) when (e is TrackerException or HttpRequestException)
            {
                await Task.Delay(100);
            }
        }
        throw new TimeoutException("opentracker never accepted the whitelisted torrent:\n" + _process.Output);
    }

    public void Dispose() => _process.Dispose();
}

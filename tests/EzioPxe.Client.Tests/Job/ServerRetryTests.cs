using System.Net;
using System.Text;
using EzioPxe.Client.Deployment;
using EzioPxe.Client.Job;
using EzioPxe.Client.Logging;
using EzioPxe.Client.Tests.Deployment;
using EzioPxe.Client.Tests.Storage;
using EzioPxe.Contracts.Jobs;
using EzioPxe.Contracts.Machines;
using EzioPxe.TestSupport;

namespace EzioPxe.Client.Tests.Job;

/// <summary>
/// The client against a server that is down, restarting or answering errors, over real HTTP on
/// loopback: it waits for it (ezio.serverwait) and says so, gives up in the end, never retries a 404;
/// and it refuses a torrent whose info-hash is not the one its boot menu or job named.
/// </summary>
public sealed class ServerRetryTests
{
    /// <summary>An HTTP server on a port that answers GET /jobs/... with the given status codes in turn, then 200 and a job.</summary>
    private sealed class JobServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Queue<int> _failures;

        public JobServer(int port, params int[] failures)
        {
            _failures = new Queue<int>(failures);
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public int Requests;

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                Interlocked.Increment(ref Requests);
                var status = _failures.TryDequeue(out var failure) ? failure : 200;
                var body = Encoding.UTF8.GetBytes(status == 200 ? "{\"name\":\"lab\",\"torrentUrl\":\"/torrents/lab.torrent\"}" : "not now");
                context.Response.StatusCode = status;
                context.Response.ContentLength64 = body.Length;
                await context.Response.OutputStream.WriteAsync(body);
                context.Response.Close();
            }
        }

        public void Dispose() => _listener.Close();
    }

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(10) };

    [Fact]
    public async Task The_job_is_fetched_once_a_server_that_was_down_comes_up_and_the_console_says_it_waits()
    {
        var port = FreePort.Tcp();
        var console = new StringWriter();
        var url = new Uri($"http://127.0.0.1:{port}/jobs/52:54:00:00:00:01");
        var fetch = new ServerRetry(TimeSpan.FromMinutes(2), TextWriter.Synchronized(console))
            .RunAsync("job", token => JobClient.FetchAsync(Http, url, token), CancellationToken.None);

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!console.ToString().Contains("retrying", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.False(fetch.IsCompleted);
        // The server restarts and first answers 503 while it loads its images.
        using var server = new JobServer(port, 503);
        var job = await fetch.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("lab", job.Name);
        Assert.True(server.Requests >= 2, $"{server.Requests} requests");
        Assert.Matches(@"job: .*; retrying for up to \d+ s \(ezio\.serverwait\)", console.ToString());
        Assert.Contains("job: the server answered", console.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task It_gives_up_after_the_wait_and_never_retries_a_404()
    {
        var nobody = new Uri($"http://127.0.0.1:{FreePort.Tcp()}/jobs/lab");
        var started = DateTime.UtcNow;
        await Assert.ThrowsAsync<HttpRequestException>(() =>
            new ServerRetry(TimeSpan.FromSeconds(1), TextWriter.Null).RunAsync("job", token => JobClient.FetchAsync(Http, nobody, token), CancellationToken.None));
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(1), "gave up before ezio.serverwait was over");

        var port = FreePort.Tcp();
        using var server = new JobServer(port, 404);
        await Assert.ThrowsAsync<JobConfigurationException>(() =>
            new ServerRetry(TimeSpan.FromMinutes(1), TextWriter.Null).RunAsync("job", token => JobClient.FetchAsync(Http, new Uri($"http://127.0.0.1:{port}/jobs/lab"), token), CancellationToken.None));
        Assert.Equal(1, server.Requests);
    }

    [Fact]
    public async Task A_torrent_with_another_info_hash_than_the_boot_menus_is_refused_and_reported()
    {
        var image = new ImageTorrent(64 * 1024, [(0L, ImageTorrent.Random(200_000, 9))], 1L << 20);
        using var web = new TorrentWebServer(image.Bytes);
        var console = new StringWriter();
        var settings = new ClientSettings
        {
            Server = new ServerAddress("127.0.0.1", web.Port),
            TorrentUrl = new Uri(web.TorrentUrl),
            InfoHash = new string('0', 40),
            Key = new string('a', 32),
            Mac = new MacAddress(0x525400000001),
            Disk = "/dev/null-not-reached",
            ServerWait = TimeSpan.Zero,
        };
        var agent = new DeploymentAgent(settings, Http, new ConsoleLogger(ClientLogLevel.Warn, console), console);
        var error = await Assert.ThrowsAsync<DeploymentFailedException>(() => agent.RunAsync(CancellationToken.None));
        Assert.Contains("not the job's 0000000000000000000000000000000000000000: refused", error.Message, StringComparison.Ordinal);
        // The failure reached the server, with the machine's key.
        Assert.Contains(web.Reports, r => r.Contains("\"state\":\"failed\"", StringComparison.Ordinal)
            && r.Contains("refused", StringComparison.Ordinal) && r.Contains("\"key\":\"" + new string('a', 32) + "\"", StringComparison.Ordinal));
    }
}

using System.Net;
using System.Text.Json;
using System.Text;
using EzioPxe.Client.Job;
using EzioPxe.Contracts.Jobs;
using EzioPxe.Contracts.Machines;
using EzioPxe.Contracts;
using EzioPxe.TestSupport;

namespace EzioPxe.Client.Tests.Job;

public class JobClientTests
{
    /// <summary>A one-request-at-a-time HTTP server on loopback answering from <paramref name="answer"/>.</summary>
    private static (HttpListener Listener, Uri BaseUri) Serve(Func<string, (int Status, string Body)> answer)
    {
        var port = FreePort.Tcp();
        var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        _ = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await listener.GetContextAsync();
                }
                catch (Exception) when (!listener.IsListening)
                {
                    return;
                }
                var (status, body) = answer(context.Request.RawUrl ?? "");
                context.Response.StatusCode = status;
                context.Response.ContentType = "application/json";
                var bytes = Encoding.UTF8.GetBytes(body);
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        });
        return (listener, new Uri($"http://127.0.0.1:{port}/"));
    }

    [Fact]
    public async Task The_job_is_fetched_by_mac_as_camel_case_json()
    {
        var requested = new List<string>();
        var (listener, baseUri) = Serve(url =>
        {
            lock (requested) { requested.Add(url); }
            return (200, """{"name":"lab","torrentUrl":"/torrents/lab.torrent","disk":"auto","after":"reboot","seed":"until-done","logLevel":"info"}""");
        });
        using var _ = listener;
        var settings = new ClientSettings { Server = new ServerAddress("127.0.0.1", baseUri.Port) };
        using var http = new HttpClient();
        var job = await JobClient.FetchAsync(http, settings.JobUrl(new MacAddress(0x525400123456)), CancellationToken.None);
        Assert.Equal(new JobDescription { Name = "lab", TorrentUrl = "/torrents/lab.torrent", Disk = "auto", After = "reboot", Seed = "until-done", LogLevel = "info" }, job);
        Assert.Equal(["/jobs/52%3A54%3A00%3A12%3A34%3A56"], requested);
    }

    [Fact]
    public async Task No_such_job_and_bad_json_are_clear_errors()
    {
        var (listener, baseUri) = Serve(url => url.EndsWith("/missing", StringComparison.Ordinal) ? (404, "{}") : (200, "{\"name\": "));
        using var _ = listener;
        using var http = new HttpClient();
        var missing = await Assert.ThrowsAsync<JobConfigurationException>(() => JobClient.FetchAsync(http, new Uri(baseUri, "jobs/missing"), CancellationToken.None));
        Assert.Contains("the server has no job at", missing.Message, StringComparison.Ordinal);
        var bad = await Assert.ThrowsAsync<JobConfigurationException>(() => JobClient.FetchAsync(http, new Uri(baseUri, "jobs/broken"), CancellationToken.None));
        Assert.Contains("is not valid JSON", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Contracts_are_camel_case_and_leave_out_nulls()
    {
        var json = JsonSerializer.Serialize(new JobDescription { Name = "lab", TorrentUrl = "http://s/t", LogLevel = "debug" }, ContractsJsonContext.Default.JobDescription);
        Assert.Equal("""{"name":"lab","torrentUrl":"http://s/t","logLevel":"debug"}""", json);
    }

    [Fact]
    public void The_route_to_a_loopback_server_goes_through_lo()
    {
        var route = NetworkRoute.Find(IPAddress.Loopback);
        Assert.Equal("lo", route.InterfaceName);
        Assert.Equal(IPAddress.Loopback, route.LocalAddress);
    }
}

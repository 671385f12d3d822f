using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text;
using EzioPxe.Contracts.Jobs;
using EzioPxe.Contracts;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Server.Tests.Seeding;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.Http;

/// <summary>The HTTP endpoints fetched by curl (the real client an admin or iPXE would be) and HttpClient.</summary>
[Collection(ServerCollection.Name)]
public sealed class HttpEndpointTests(ServerFixture fixture)
{
    private RunningServer Server => fixture.Server;

    private string Curl(params string[] arguments)
    {
        var output = fixture.Directory + "/curl-" + Guid.NewGuid().ToString("N");
        var result = Tool.Run("curl", ["-sS", "--path-as-is", "-o", output, "-w", "%{http_code}", .. arguments], TimeSpan.FromSeconds(30));
        result.EnsureSuccess("curl");
        LastBody = File.ReadAllBytes(output);
        File.Delete(output);
        return result.StandardOutput.Trim();
    }

    private byte[] LastBody { get; set; } = [];

    [Fact]
    public void Curl_fetches_the_torrent_with_the_announce_url_it_reached_the_server_by()
    {
        Assert.Equal("200", Curl(Server.BaseUrl + "torrents/lab.torrent"));
        var torrent = Torrent.Parse(LastBody);
        Assert.Equal(fixture.Torrent.InfoHash, torrent.InfoHash);
        Assert.Equal(Server.BaseUrl + "announce", torrent.Announce);
        Assert.Empty(torrent.AnnounceList);
        Assert.Equal(TestImage.DiskSize, torrent.Info.Dictionary.GetInteger("x-eziopxe-disk-size")!.Value);

        Assert.Equal("404", Curl(Server.BaseUrl + "torrents/other.torrent"));
        Assert.Contains("no image torrent 'other.torrent'", Encoding.UTF8.GetString(LastBody), StringComparison.Ordinal);
    }

    [Fact]
    public void Curl_fetches_jobs_by_mac_in_any_spelling_and_by_name_with_an_absolute_torrent_url()
    {
        // room-a has Arm: always: its listed machine gets it on every request.
        Assert.Equal("200", Curl(Server.BaseUrl + "jobs/52-54-00-AA-00-01"));
        var job = JsonSerializer.Deserialize(LastBody, ContractsJsonContext.Default.JobDescription)!;
        Assert.Matches("^[0-9a-f]{32}$", job.Key);
        Assert.Equal(new JobDescription
        {
            Name = "room-a", TorrentUrl = Server.BaseUrl + "torrents/lab.torrent", Disk = "auto", After = "poweroff", Seed = "120",
            Key = job.Key, InfoHash = fixture.Torrent.InfoHash.ToHex(),
        }, job);

        // room-b is on demand: its listed machine has nothing to do until a task is armed for it.
        Assert.Equal("404", Curl(Server.BaseUrl + "jobs/525400aa0002"));
        Assert.Contains("machine 52:54:00:aa:00:02 has no deployment task (it boots its own disk)", Encoding.UTF8.GetString(LastBody), StringComparison.Ordinal);

        // A machine not in Machines gets nothing either (DefaultJob is only what a task arms by default).
        Assert.Equal("404", Curl(Server.BaseUrl + "jobs/02:00:00:00:00:99"));

        Assert.Equal("200", Curl(Server.BaseUrl + "jobs/page"));
        var byName = JsonSerializer.Deserialize(LastBody, ContractsJsonContext.Default.JobDescription)!;
        Assert.Equal(("page", "until-done", "reboot"), (byName.Name, byName.Seed, byName.After));
        Assert.Null(byName.Key); // asked for by name alone: no machine, no key
        Assert.True(Uri.IsWellFormedUriString(byName.TorrentUrl, UriKind.Absolute));

        Assert.Equal("404", Curl(Server.BaseUrl + "jobs/nosuchjob"));
        Assert.Contains("no job or MAC 'nosuchjob'", Encoding.UTF8.GetString(LastBody), StringComparison.Ordinal);
    }

    [Fact]
    public void Curl_fetches_a_range_of_an_extent_equal_to_the_image_bytes_at_its_offset()
    {
        var info = fixture.Torrent.Info;
        var file = info.Files.OrderByDescending(f => f.Length).First();
        var offset = Convert.ToInt64(file.Path, 16);
        Assert.Equal("206", Curl("-r", "1000-66535", Server.BaseUrl + "images/lab/" + file.Path));
        Assert.Equal(TestImage.Read(fixture.ImagePath, offset + 1000, 65536), LastBody);

        Assert.Equal("200", Curl(Server.BaseUrl + "images/lab/" + file.Path));
        Assert.Equal(file.Length, LastBody.Length);
        Assert.Equal(TestImage.Read(fixture.ImagePath, offset, (int)file.Length), LastBody);

        Assert.Equal("416", Curl("-r", $"{file.Length}-{file.Length + 10}", Server.BaseUrl + "images/lab/" + file.Path));
        Assert.Equal("404", Curl(Server.BaseUrl + "images/lab/00000000000000000000000000000123"));
        Assert.Equal("404", Curl(Server.BaseUrl + "images/nope/" + file.Path));
    }

    [Fact]
    public void Boot_files_are_served_from_the_boot_directory_and_never_from_outside_it()
    {
        Assert.Equal("200", Curl(Server.BaseUrl + "boot/vmlinuz"));
        Assert.Equal("not really a kernel\n", Encoding.UTF8.GetString(LastBody));
        Assert.Equal("200", Curl(Server.BaseUrl + "boot/ipxe/boot.ipxe"));
        Assert.StartsWith("#!ipxe", Encoding.UTF8.GetString(LastBody), StringComparison.Ordinal);
        foreach (var escape in new[] { "boot/../secret.txt", "boot/%2e%2e/secret.txt", "boot/ipxe/%2e%2e/%2e%2e/secret.txt", "boot/escape", "boot/%2fetc%2fpasswd", "boot/ipxe" })
        {
            Assert.NotEqual("200", Curl(Server.BaseUrl + escape));
            Assert.DoesNotContain("outside the boot directory", Encoding.UTF8.GetString(LastBody), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Progress_refuses_garbage_bad_macs_and_oversized_bodies_and_keeps_serving()
    {
        async Task<(HttpStatusCode, string)> Post(string body)
        {
            using var response = await Server.Http.PostAsync("progress", new StringContent(body, Encoding.UTF8, "application/json"));
            return (response.StatusCode, await response.Content.ReadAsStringAsync());
        }

        var (status, text) = await Post("{\"mac\": \"52:54:00:aa:00:09\", \"state\": ");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("not a progress report", text, StringComparison.Ordinal);

        (status, text) = await Post("\u0000\u0001garbage");
        Assert.Equal(HttpStatusCode.BadRequest, status);

        (status, text) = await Post("{\"mac\": \"not-a-mac\", \"state\": \"downloading\"}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("mac: 'not-a-mac' is not a MAC address", text, StringComparison.Ordinal);

        (status, text) = await Post("{\"mac\": \"52:54:00:aa:00:09\", \"state\": \"dancing\"}");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("state: 'dancing'", text, StringComparison.Ordinal);

        // 1 MiB of JSON: over Server:MaxRequestBodyBytes (64 KiB).
        await AssertRefusedAsTooLarge(() => new HttpRequestMessage(HttpMethod.Post, "progress")
        {
            Content = new StringContent("{\"mac\": \"52:54:00:aa:00:09\", \"hostname\": \"" + new string('x', 1 << 20) + "\"}", Encoding.UTF8, "application/json"),
        });

        // The same without Content-Length (chunked): the limit holds while reading.
        await AssertRefusedAsTooLarge(() =>
        {
            var chunked = new HttpRequestMessage(HttpMethod.Post, "progress") { Content = new StreamContent(new MemoryStream(new byte[1 << 20])) };
            chunked.Headers.TransferEncodingChunked = true;
            return chunked;
        });

        var key = await Status.MachineReports.KeyAsync(Server.Http, "52:54:00:aa:00:09", "cli");
        (status, text) = await Post("{\"mac\": \"52:54:00:aa:00:09\", \"job\": \"cli\", \"state\": \"checking\", \"key\": \"" + key + "\"}");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("\"roomDone\":false", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// An oversized chunked body that starts with 20 KiB of garbage and sends the rest only after a
    /// pause: a server parsing the body while reading it answered 400 to the garbage before the
    /// limit was reached (the chunked case above got 400 so under load, when the server read before
    /// the client had sent 64 KiB); the server reads a body whole first, so the answer is 413.
    /// A raw socket, so that the answer is read whatever the server does to the connection after.
    /// </summary>
    [Fact]
    public async Task An_oversized_body_gets_413_however_slowly_it_arrives()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        // The endpoint's code is compiled and run once before, so that it reads the body at once.
        using (var warm = await Server.Http.PostAsync("progress", new StringContent("x", Encoding.UTF8, "application/json"), timeout.Token))
        {
            Assert.Equal(HttpStatusCode.BadRequest, warm.StatusCode);
        }
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, Server.Settings.Server.HttpPort, timeout.Token);
        var stream = client.GetStream();
        static byte[] Chunk(int size) => Encoding.ASCII.GetBytes($"{size:x}\r\n{new string('x', size)}\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes("POST /progress HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"), timeout.Token);
        await stream.WriteAsync(Chunk(20 << 10), timeout.Token);
        // The server has the garbage and not the limit's worth: it must wait for the rest. (A server
        // parsing while reading answered 400 here, within milliseconds.)
        Assert.False(client.Client.Poll(TimeSpan.FromSeconds(2), SelectMode.SelectRead), "the server answered (or closed) before the body reached the limit");
        try
        {
            // 70 KiB in all: over Server:MaxRequestBodyBytes (64 KiB).
            await stream.WriteAsync(Chunk(50 << 10), timeout.Token);
            await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), timeout.Token);
        }
        catch (IOException)
        {
            // The server answered and closed before the end: its answer is still there to read.
        }
        var answer = new StringBuilder();
        var buffer = new byte[4096];
        int read;
        while (!answer.ToString().Contains("\r\n\r\n", StringComparison.Ordinal) && (read = await stream.ReadAsync(buffer, timeout.Token)) > 0)
        {
            answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }
        Assert.StartsWith("HTTP/1.1 413 ", answer.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// The server answers 413 as soon as the body passes the limit and closes the connection; a
    /// client still sending then sees a broken pipe instead of the answer (a race on loopback).
    /// Either way the body was refused: what must never come back is any other status.
    /// </summary>
    private async Task AssertRefusedAsTooLarge(Func<HttpRequestMessage> request)
    {
        try
        {
            using var message = request();
            using var response = await Server.Http.SendAsync(message);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        }
        catch (HttpRequestException e) when (e.InnerException is IOException)
        {
            // Closed by the server mid-body: refused.
        }
    }
}

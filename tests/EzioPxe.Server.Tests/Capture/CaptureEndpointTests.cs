using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using EzioPxe.Contracts;
using EzioPxe.Contracts.Capture;
using EzioPxe.Server.Tests.Http;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.Capture;

/// <summary>
/// The capture endpoints against bad and hostile input: every refusal has its status and reason,
/// nothing is stored for a bad range, what was stored survives a server restart, and a plan the
/// stored bytes do not match is caught at completion.
/// </summary>
public sealed class CaptureEndpointTests
{
    private static readonly CapturePlan Plan = new()
    {
        DiskSize = 1 << 20,
        Extents = [new CaptureRange(0, 4096), new CaptureRange(65536, 8192)],
        Mac = "52:54:00:00:00:01",
    };

    [Fact]
    public async Task Bad_plans_ranges_and_names_are_refused_with_their_reason()
    {
        using var temp = new TempDirectory("capture-http");
        await using var server = await Start(temp);
        var http = server.Http;

        await Expect(HttpStatusCode.Conflict, "POST its plan to /captures/lab first", await Put(http, "lab", 0, new byte[4096]));
        var overlapping = Plan with { Extents = [new CaptureRange(0, 8192), new CaptureRange(4096, 512)] };
        await Expect(HttpStatusCode.BadRequest, "sorted and disjoint", await http.PostAsJsonAsync("captures/lab", overlapping, ContractsJsonContext.Default.CapturePlan));
        await Expect(HttpStatusCode.BadRequest, "ends past the disk", await http.PostAsJsonAsync("captures/lab", Plan with { DiskSize = 8192 }, ContractsJsonContext.Default.CapturePlan));
        await Expect(HttpStatusCode.BadRequest, "not a capture plan", await http.PostAsync("captures/lab", new StringContent("{ nope")));
        await Expect(HttpStatusCode.BadRequest, "is not an image name", await http.PostAsJsonAsync("captures/a%20b", Plan, ContractsJsonContext.Default.CapturePlan));

        var status = await Begin(http, "lab");
        Assert.Empty(status.Received);
        await Expect(HttpStatusCode.BadRequest, "no range of the plan starts at 512", await Put(http, "lab", 512, new byte[512]));
        await Expect(HttpStatusCode.BadRequest, "the range at 0 is 4096 bytes, the body has 100", await Put(http, "lab", 0, new byte[100]));
        var damaged = new HttpRequestMessage(HttpMethod.Put, "captures/lab/ranges/0") { Content = new ByteArrayContent(new byte[4096]) };
        damaged.Headers.Add(CaptureProtocol.Sha256Header, new string('0', 64));
        await Expect(HttpStatusCode.BadRequest, "damaged in transit", await http.SendAsync(damaged));
        var missingHash = new HttpRequestMessage(HttpMethod.Put, "captures/lab/ranges/0") { Content = new ByteArrayContent(new byte[4096]) };
        await Expect(HttpStatusCode.BadRequest, CaptureProtocol.Sha256Header, await http.SendAsync(missingHash));
        await Expect(HttpStatusCode.RequestEntityTooLarge, "a range is at most", await Put(http, "lab", 65536, new byte[CaptureProtocol.MaxRangeBytes + 1], expectContinue: true));
        Assert.Empty((await Begin(http, "lab")).Received);
        await Expect(HttpStatusCode.Conflict, "missing ranges: 0 of 12288 bytes", await http.PostAsync("captures/lab/complete", null));
    }

    [Fact]
    public async Task Received_ranges_survive_a_restart_and_a_plan_the_bytes_do_not_match_is_caught_at_completion()
    {
        using var temp = new TempDirectory("capture-http");
        var first = new byte[4096];
        new Random(1).NextBytes(first);
        await using (var server = await Start(temp))
        {
            await Begin(server.Http, "lab");
            Assert.Equal(HttpStatusCode.NoContent, (await Put(server.Http, "lab", 0, first)).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await Put(server.Http, "lab", 0, first)).StatusCode); // a resend is harmless
        }
        await using (var server = await Start(temp))
        {
            var status = await Begin(server.Http, "lab");
            Assert.Equal([new CaptureRange(0, 4096)], status.Received);
            Assert.Equal(4096, status.ReceivedBytes);
            // A different disk under the same name starts afresh.
            Assert.Empty((await Begin(server.Http, "lab", Plan with { DiskSize = 2 << 20 })).Received);
            await Begin(server.Http, "lab");
            Assert.Equal(HttpStatusCode.NoContent, (await Put(server.Http, "lab", 0, first)).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await Put(server.Http, "lab", 65536, new byte[8192])).StatusCode);
            // Random bytes with no partition table scan as one region kept minus zeros: 4096 bytes, not the plan's 12288.
            await Expect((HttpStatusCode)422, "the machine's disk had 2 (12288 bytes)", await server.Http.PostAsync("captures/lab/complete", null));
            Assert.False(File.Exists(temp.File("captures/lab.img")));
        }
    }

    [Fact]
    public async Task A_capture_job_is_handed_out_with_its_mode_and_image_and_no_torrent()
    {
        using var temp = new TempDirectory("capture-http");
        await using var server = await Start(temp, c =>
            c["Jobs"] = new System.Text.Json.Nodes.JsonObject { ["grab"] = new System.Text.Json.Nodes.JsonObject { ["Mode"] = "capture", ["Image"] = "lab", ["After"] = "poweroff" } });
        var job = await server.Http.GetFromJsonAsync("jobs/grab", ContractsJsonContext.Default.JobDescription);
        Assert.NotNull(job);
        Assert.Equal("capture", job.Mode);
        Assert.Equal("lab", job.Image);
        Assert.Equal("poweroff", job.After);
        Assert.Null(job.TorrentUrl);
    }

    private static async Task<RunningServer> Start(TempDirectory temp, Action<System.Text.Json.Nodes.JsonObject>? configure = null) =>
        await RunningServer.StartAsync(RunningServer.Config(temp.File("data"), "unused", c =>
        {
            c.Remove("Images");
            c.Remove("Jobs");
            c.Remove("DefaultJob");
            c["Server"]!["CaptureDirectory"] = temp.File("captures");
            configure?.Invoke(c);
        }), temp.Path);

    private static async Task<CaptureStatus> Begin(HttpClient http, string name, CapturePlan? plan = null)
    {
        using var response = await http.PostAsJsonAsync($"captures/{name}", plan ?? Plan, ContractsJsonContext.Default.CapturePlan);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.CaptureStatus))!;
    }

    private static async Task<HttpResponseMessage> Put(HttpClient http, string name, long offset, byte[] body, bool expectContinue = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"captures/{name}/ranges/{offset}") { Content = new ByteArrayContent(body) };
        request.Headers.ExpectContinue = expectContinue;
        request.Headers.Add(CaptureProtocol.Sha256Header, Convert.ToHexStringLower(SHA256.HashData(body)));
        return await http.SendAsync(request);
    }

    private static async Task Expect(HttpStatusCode code, string text, HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == code, $"expected {(int)code}, got {(int)response.StatusCode}: {body}");
        Assert.Contains(text, body, StringComparison.Ordinal);
    }
}

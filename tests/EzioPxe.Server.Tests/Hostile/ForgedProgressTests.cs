using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EzioPxe.Contracts;
using EzioPxe.Contracts.Progress;
using EzioPxe.Server.Status;
using EzioPxe.Server.Tests.Http;
using EzioPxe.Server.Tests.Seeding;
using EzioPxe.Server.Tests.Status;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.Hostile;

/// <summary>
/// A host on the LAN (here 127.0.0.2, the real machines 127.0.0.1) forging progress reports
/// against the real server: without a machine's key nothing changes; with a key it can mint for
/// a made-up MAC it cannot take over a real machine, change its room, or fill the registry.
/// </summary>
public sealed class ForgedProgressTests : IAsyncLifetime
{
    private const string Teacher = "52:54:00:ee:00:01"; // configured: job "room"
    private static readonly IPAddress Attacker = IPAddress.Parse("127.0.0.2");

    private readonly TempDirectory _temp = new("forged");
    private RunningServer _server = null!;
    private HttpClient _attacker = null!;

    public async Task InitializeAsync()
    {
        _server = await RunningServer.StartAsync(Config(), _temp.Path);
        _attacker = SourceBoundHttp.Create(_server.BaseUrl, Attacker);
    }

    private JsonObject Config() => RunningServer.Config(_temp.File("data"), TestImage.Create(_temp.File("lab.img"), seed: 3), c =>
    {
        c["Server"]!["MachinesPerAddress"] = 3;
        // Arm: always: the teacher is deployed at every boot, so it gets its job (and key) by MAC.
        c["Jobs"]!["room"] = new JsonObject { ["Image"] = "lab", ["Arm"] = "always" };
        c["Jobs"]!["other"] = new JsonObject { ["Image"] = "lab" };
        c["Machines"] = new JsonArray { new JsonObject { ["Mac"] = Teacher, ["Job"] = "room", ["Name"] = "teacher" } };
    });

    public async Task DisposeAsync()
    {
        _attacker.Dispose();
        await _server.DisposeAsync();
        _temp.Dispose();
    }

    private static async Task<(HttpStatusCode Status, string Text)> Post(HttpClient http, ProgressReport report)
    {
        using var response = await http.PostAsJsonAsync("progress", report, ContractsJsonContext.Default.ProgressReport);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<ServerStatus> Status() => (await _server.Http.GetFromJsonAsync("status", StatusJsonContext.Default.ServerStatus))!;

    private static ProgressReport Report(string mac, string state, string? key = null, string? job = null) =>
        new() { Mac = mac, State = state, Key = key, Job = job, BytesDone = 5, BytesTotal = 10 };

    [Fact]
    public async Task Reports_without_the_machines_key_are_refused_and_change_nothing()
    {
        var teacherKey = await MachineReports.KeyAsync(_server.Http, Teacher);
        Assert.Equal(HttpStatusCode.OK, (await Post(_server.Http, Report(Teacher, ProgressStates.Downloading, teacherKey))).Status);

        // Three fake "done" machines without keys, one with a key made up, one with the teacher's key for another MAC.
        foreach (var mac in new[] { "02:00:00:00:00:01", "02:00:00:00:00:02", "02:00:00:00:00:03" })
        {
            var (status, text) = await Post(_attacker, Report(mac, ProgressStates.Done, job: "room"));
            Assert.Equal(HttpStatusCode.Forbidden, status);
            Assert.Contains("key: missing", text, StringComparison.Ordinal);
        }
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(_attacker, Report("02:00:00:00:00:04", ProgressStates.Done, new string('0', 32), "room"))).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(_attacker, Report("02:00:00:00:00:05", ProgressStates.Done, teacherKey, "room"))).Status);
        // A key of one job is not a key of another room.
        var labKey = await MachineReports.KeyAsync(_attacker, "02:00:00:00:00:06", "lab");
        Assert.Equal(HttpStatusCode.Forbidden, (await Post(_attacker, Report("02:00:00:00:00:06", ProgressStates.Done, labKey, "room"))).Status);

        var now = await Status();
        Assert.Equal([Teacher], now.Machines.Select(m => m.Mac));
        Assert.False(now.Jobs.Single(j => j.Name == "room").RoomDone);
        Assert.Equal(ProgressStates.Downloading, now.Machines.Single().State);
    }

    [Fact]
    public async Task A_configured_machine_cannot_be_rewritten_from_another_address_or_moved_to_another_room()
    {
        var key = await MachineReports.KeyAsync(_server.Http, Teacher);
        Assert.Equal(HttpStatusCode.OK, (await Post(_server.Http, Report(Teacher, ProgressStates.Downloading, key) with { Hostname = "pc-1", Address = "10.0.0.5" })).Status);

        // The attacker fetched the teacher's job (the key comes with it) and sends "failed" from its own address.
        var stolen = await MachineReports.KeyAsync(_attacker, Teacher);
        Assert.Equal(key, stolen);
        var (status, text) = await Post(_attacker, Report(Teacher, ProgressStates.Failed, stolen) with { Hostname = "hacked", Error = "pwned" });
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("reports from 127.0.0.1, not from 127.0.0.2", text, StringComparison.Ordinal);
        // A key asked for another job is not handed out for a configured machine, and the room cannot be named.
        Assert.Null((await _attacker.GetFromJsonAsync($"jobs/other?mac={Teacher}", ContractsJsonContext.Default.JobDescription))!.Key);
        (status, text) = await Post(_server.Http, Report(Teacher, ProgressStates.Done, key, "other"));
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("runs job room on this server", text, StringComparison.Ordinal);

        var teacher = (await Status()).Machines.Single(m => m.Mac == Teacher);
        Assert.Equal((ProgressStates.Downloading, "pc-1", "127.0.0.1", "room", "teacher"), (teacher.State, teacher.Report?.Hostname, teacher.Address, teacher.Job, teacher.Name));
        Assert.Null(teacher.Report?.Error);
    }

    [Fact]
    public async Task Made_up_machines_from_one_address_only_churn_their_own_entries_and_texts_are_capped()
    {
        var realKey = await MachineReports.KeyAsync(_server.Http, Teacher);
        Assert.Equal(HttpStatusCode.OK, (await Post(_server.Http, Report(Teacher, ProgressStates.Downloading, realKey))).Status);

        var huge = new string('x', 30_000); // two of them stay under Server:MaxRequestBodyBytes
        var keyed = 0;
        for (var i = 0; i < 300; i++)
        {
            var mac = $"02:00:00:01:{i / 256:x2}:{i % 256:x2}";
            // Keys for machines nobody expects: Server:MachinesPerAddress (3) per address, then the job comes without one.
            var key = (await _attacker.GetFromJsonAsync($"jobs/lab?mac={mac}", ContractsJsonContext.Default.JobDescription))!.Key;
            keyed += key == null ? 0 : 1;
            var (status, _) = await Post(_attacker, Report(mac, ProgressStates.Failed, key, "lab") with { Error = huge, Hostname = huge });
            Assert.Equal(key == null ? HttpStatusCode.Forbidden : HttpStatusCode.OK, status);
        }
        Assert.Equal(3, keyed);

        var machines = (await Status()).Machines;
        var fromAttacker = machines.Where(m => m.Address == "127.0.0.2").ToList();
        Assert.Equal(3, fromAttacker.Count); // Server:MachinesPerAddress
        Assert.All(fromAttacker, m =>
        {
            Assert.True(m.Report!.Error!.Length <= MachineRegistry.MaxErrorLength + 1, $"error of {m.Report.Error.Length} chars kept");
            Assert.True(m.Report.Hostname!.Length <= MachineRegistry.MaxTextLength + 1, $"hostname of {m.Report.Hostname.Length} chars kept");
        });
        // The three it got keys for; the real machine was never touched and still reports.
        Assert.Equal(["02:00:00:01:00:00", "02:00:00:01:00:01", "02:00:00:01:00:02"], fromAttacker.Select(m => m.Mac));
        Assert.Contains(machines, m => m.Mac == Teacher && m.State == ProgressStates.Downloading);
        Assert.Equal(HttpStatusCode.OK, (await Post(_server.Http, Report(Teacher, ProgressStates.Seeding, realKey))).Status);
        // The log names each failure once, cut to the cap, not 300 x 30 KB.
        Assert.True(_server.Log.Text.Length < 300 * 2_000, $"log grew to {_server.Log.Text.Length} chars");
    }

    [Fact]
    public async Task Keys_survive_a_restart_and_ride_on_the_boot_menu_with_the_info_hash()
    {
        var before = await MachineReports.KeyAsync(_server.Http, Teacher);
        await _server.DisposeAsync();
        var boot = Directory.CreateDirectory(_temp.File("boot")).FullName;
        var config = Config();
        config["Server"]!["BootDirectory"] = boot;
        config["NetBoot"] = new JsonObject { ["Tftp"] = false };
        _server = await RunningServer.StartAsync(config, _temp.Path);
        _attacker.Dispose();
        _attacker = SourceBoundHttp.Create(_server.BaseUrl, Attacker);

        Assert.Equal(before, await MachineReports.KeyAsync(_server.Http, Teacher));
        var menu = await _server.Http.GetStringAsync("ipxe/52-54-00-ee-00-01.ipxe");
        var infoHash = (await _server.Http.GetFromJsonAsync($"jobs/{Teacher}", ContractsJsonContext.Default.JobDescription))!.InfoHash;
        Assert.Contains($"ezio.key={before}", menu, StringComparison.Ordinal);
        Assert.Contains($"ezio.infohash={infoHash}", menu, StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{40}$", infoHash);
        Assert.Equal(HttpStatusCode.OK, (await Post(_server.Http, Report(Teacher, ProgressStates.Done, before))).Status);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EzioPxe.Contracts;
using EzioPxe.Contracts.Machines;
using EzioPxe.Contracts.Progress;
using EzioPxe.Server.Status;
using EzioPxe.Server.Tests.Http;
using EzioPxe.Server.Tests.Seeding;
using EzioPxe.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace EzioPxe.Server.Tests.Hostile;

/// <summary>
/// Report keys bound to what the server knows, over real HTTP from distinct source addresses
/// (127.0.0.1 the machines, 127.0.0.2 and 127.0.0.3 two other hosts): a host gets keys for at most
/// Server:MachinesPerAddress machines nobody expects; such machines neither finish a room nor hold
/// it open where the room has expected ones; a machine the server's DHCP leased an address to gets
/// its key, and has its reports counted, only from there.
/// </summary>
public sealed class KeyBindingTests : IAsyncLifetime
{
    private const string Teacher = "52:54:00:ee:00:01"; // listed: job "room"
    private const string Student1 = "52:54:00:ee:00:11"; // listed: job "exam" (ExpectedMachines 2)
    private const string Student2 = "52:54:00:ee:00:12";
    private static readonly IPAddress Machines = IPAddress.Loopback;
    private static readonly IPAddress Attacker = IPAddress.Parse("127.0.0.2");
    private static readonly IPAddress Neighbour = IPAddress.Parse("127.0.0.3");

    private readonly TempDirectory _temp = new("keybinding");
    private RunningServer _server = null!;
    private HttpClient _attacker = null!;
    private HttpClient _neighbour = null!;

    public async Task InitializeAsync()
    {
        var config = RunningServer.Config(_temp.File("data"), TestImage.Create(_temp.File("lab.img"), seed: 5), c =>
        {
            c["Server"]!["MachinesPerAddress"] = 2;
            c["Server"]!["BootDirectory"] = Directory.CreateDirectory(_temp.File("boot")).FullName;
            c["NetBoot"] = new JsonObject { ["Tftp"] = false }; // the boot menus over HTTP only
            c["Jobs"]!["room"] = new JsonObject { ["Image"] = "lab", ["Arm"] = "always" };
            c["Jobs"]!["exam"] = new JsonObject { ["Image"] = "lab", ["Arm"] = "always", ["ExpectedMachines"] = 2 };
            c["Machines"] = new JsonArray
            {
                new JsonObject { ["Mac"] = Teacher, ["Job"] = "room" },
                new JsonObject { ["Mac"] = Student1, ["Job"] = "exam" },
                new JsonObject { ["Mac"] = Student2, ["Job"] = "exam" },
            };
        });
        _server = await RunningServer.StartAsync(config, _temp.Path);
        _attacker = SourceBoundHttp.Create(_server.BaseUrl, Attacker);
        _neighbour = SourceBoundHttp.Create(_server.BaseUrl, Neighbour);
    }

    public async Task DisposeAsync()
    {
        _attacker.Dispose();
        _neighbour.Dispose();
        await _server.DisposeAsync();
        _temp.Dispose();
    }

    private static async Task<string?> Key(HttpClient http, string url) =>
        (await http.GetFromJsonAsync(url, ContractsJsonContext.Default.JobDescription))!.Key;

    private static async Task<(HttpStatusCode Status, string Text, ProgressReply? Reply)> Post(HttpClient http, string mac, string state, string? key, string? job = null)
    {
        using var response = await http.PostAsJsonAsync("progress",
            new ProgressReport { Mac = mac, State = state, Key = key, Job = job, BytesDone = 5, BytesTotal = 10 }, ContractsJsonContext.Default.ProgressReport);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text, response.IsSuccessStatusCode ? System.Text.Json.JsonSerializer.Deserialize(text, ContractsJsonContext.Default.ProgressReply) : null);
    }

    private async Task<JobStatus> Job(string name) =>
        (await _server.Http.GetFromJsonAsync("status", StatusJsonContext.Default.ServerStatus))!.Jobs.Single(j => j.Name == name);

    [Fact]
    public async Task A_host_gets_keys_for_a_few_unexpected_machines_only_and_they_neither_finish_nor_hold_a_room()
    {
        // Made-up MACs: two keys per address (Server:MachinesPerAddress), then the job without one;
        // asking again for one it has is free; another address has its own two.
        var invented = Enumerable.Range(1, 5).Select(i => $"02:00:00:00:00:{i:x2}").ToList();
        var keys = new List<string?>();
        foreach (var mac in invented)
        {
            keys.Add(await Key(_attacker, $"jobs/room?mac={mac}"));
        }
        Assert.Equal(2, keys.Count(k => k != null));
        Assert.Null(keys[2]);
        Assert.NotNull(await Key(_attacker, $"jobs/room?mac={invented[0]}"));
        Assert.NotNull(await Key(_neighbour, $"jobs/exam?mac={invented[4]}"));
        // The expected machines get theirs whatever their number.
        Assert.NotNull(await Key(_server.Http, $"jobs/{Teacher}"));
        Assert.NotNull(await Key(_server.Http, $"jobs/{Student1}"));

        // The room "room" (one listed machine): made-up "done" machines do not finish it ...
        var teacherKey = await Key(_server.Http, $"jobs/{Teacher}");
        Assert.False((await Post(_server.Http, Teacher, ProgressStates.Downloading, teacherKey)).Reply!.RoomDone);
        foreach (var (mac, key) in invented.Zip(keys).Where(p => p.Second != null))
        {
            var (status, _, reply) = await Post(_attacker, mac, ProgressStates.Done, key, "room");
            Assert.Equal(HttpStatusCode.OK, status); // recorded, shown, but not deciding the room
            Assert.False(reply!.RoomDone);
        }
        Assert.Equal((0, 1, false), ((await Job("room")).Finished, (await Job("room")).Reporting, (await Job("room")).RoomDone));
        // ... and a made-up "downloading" one does not hold it open once the teacher has its image.
        Assert.Equal(HttpStatusCode.OK, (await Post(_attacker, invented[0], ProgressStates.Downloading, keys[0], "room")).Status);
        Assert.True((await Post(_server.Http, Teacher, ProgressStates.Seeding, teacherKey)).Reply!.RoomDone);
        Assert.True((await Job("room")).RoomDone);

        // The room "exam" expects 2: a neighbour's made-up "done" machine is not one of them.
        var neighbourKey = await Key(_neighbour, $"jobs/exam?mac={invented[4]}");
        Assert.False((await Post(_neighbour, invented[4], ProgressStates.Done, neighbourKey, "exam")).Reply!.RoomDone);
        Assert.False((await Post(_server.Http, Student1, ProgressStates.Done, await Key(_server.Http, $"jobs/{Student1}"))).Reply!.RoomDone);
        Assert.Equal((1, 1, false), ((await Job("exam")).Finished, (await Job("exam")).Reporting, (await Job("exam")).RoomDone));
        Assert.True((await Post(_server.Http, Student2, ProgressStates.Done, await Key(_server.Http, $"jobs/{Student2}"))).Reply!.RoomDone);

        // A room nobody is listed or armed for (machines booted with ezio.job=) is decided by whoever reports it.
        var strangerKey = await Key(_server.Http, "jobs/lab?mac=52:54:00:aa:00:01");
        Assert.True((await Post(_server.Http, "52:54:00:aa:00:01", ProgressStates.Done, strangerKey, "lab")).Reply!.RoomDone);
    }

    [Fact]
    public async Task A_machine_leased_an_address_by_the_server_gets_its_key_and_reports_only_from_there()
    {
        // As the DHCP server does in full mode (NetBoot:Dhcp full): the teacher holds 127.0.0.1.
        Assert.True(MacAddress.TryParse(Teacher, out var teacher));
        _server.App.Services.GetRequiredService<LeasedAddresses>().Source = mac => mac == teacher ? Machines : null;

        // Before the teacher's first report: the attacker asking for its job gets no key ...
        Assert.Null(await Key(_attacker, $"jobs/{Teacher}"));
        Assert.Null(await Key(_attacker, $"jobs/room?mac={Teacher}"));
        // ... and the key read elsewhere (its boot menu is served to anyone) does not count from there.
        var key = await Key(_server.Http, $"jobs/{Teacher}");
        Assert.NotNull(key);
        foreach (var state in new[] { ProgressStates.Failed, ProgressStates.Done, ProgressStates.Downloading })
        {
            var (status, text, _) = await Post(_attacker, Teacher, state, key);
            Assert.Equal(HttpStatusCode.Forbidden, status);
            Assert.Contains($"machine {Teacher} has the address 127.0.0.1 from this server's DHCP, not 127.0.0.2", text, StringComparison.Ordinal);
        }
        // Nor is its boot menu (with its key; asking for it counts as its boot) served to another address.
        using (var menu = await _attacker.GetAsync("ipxe/52-54-00-ee-00-01.ipxe"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, menu.StatusCode);
        }
        Assert.Contains($"ezio.key={key}", await _server.Http.GetStringAsync("ipxe/52-54-00-ee-00-01.ipxe"), StringComparison.Ordinal);
        var page = await _server.Http.GetFromJsonAsync("status", StatusJsonContext.Default.ServerStatus);
        var row = page!.Machines.Single(m => m.Mac == Teacher);
        Assert.Null(row.Address);
        Assert.Empty(page.History);

        // With full DHCP a MAC without a lease is no machine on this LAN: no key, no report.
        Assert.Null(await Key(_server.Http, "jobs/room?mac=02:00:00:00:00:09"));
        // Even with its right key (read off its boot menu, say).
        Assert.True(MacAddress.TryParse(Student1, out var student));
        var studentKey = _server.App.Services.GetRequiredService<MachineKeys>().For(student, "exam");
        Assert.Contains("has no address from this server's DHCP", (await Post(_server.Http, Student1, ProgressStates.Done, studentKey)).Text, StringComparison.Ordinal);

        // The teacher itself, from its address, reports as ever.
        Assert.Equal(HttpStatusCode.OK, (await Post(_server.Http, Teacher, ProgressStates.Done, key)).Status);
        Assert.Equal(ProgressStates.Done, (await _server.Http.GetFromJsonAsync("status", StatusJsonContext.Default.ServerStatus))!.Machines.Single(m => m.Mac == Teacher).State);
    }
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EzioPxe.Contracts.Progress;
using EzioPxe.Imaging.Tests;
using EzioPxe.Server.Cli;
using EzioPxe.Server.Status;
using EzioPxe.Server.Tests.Http;
using EzioPxe.Server.Tests.Seeding;
using EzioPxe.TestSupport;
using EzioPxe.TestSupport.VirtualLan;

namespace EzioPxe.Server.Tests.Tasks;

/// <summary>
/// `eziopxe deploy --cancel` reaches a machine that is writing its disk: the real server, the
/// published NativeAOT client (out/client/eziopxe-client) in a network namespace whose link from
/// the server is held to 8 Mbit/s (so the 16 MB image takes about 16 s and the cancel lands
/// mid-way), writing a loop device. The client's next report gets Stop; it says so, skips its
/// after-action (exit 12: the init waits at a shell, no reboot into the half-written disk), and
/// the server's history records the cancelled deployment.
/// </summary>
[Trait("Needs", "root")]
public sealed class CancelReachesMachineTests
{
    private const string Mac = "52:54:00:5a:0c:01";

    [Fact]
    public async Task A_cancelled_task_stops_its_machine_mid_download_without_its_after_action()
    {
        Assert.True(File.Exists(RepositoryPaths.ClientBinary), $"{RepositoryPaths.ClientBinary} is missing: run ./build.sh client first");
        using var temp = new TempDirectory("cancel");
        using var ns = NetworkNamespace.Create();
        var serverAddress = SlowLink(ns);

        var image = TestImage.Create(temp.File("lab.img"), seed: 12, dataBytes: 16L << 20);
        var config = RunningServer.Config(temp.File("data"), image, c =>
        {
            c["Server"]!["Address"] = serverAddress;
            c["Jobs"]!["lab"]!["After"] = "reboot";
            c["Machines"] = new JsonArray { new JsonObject { ["Mac"] = Mac, ["Job"] = "lab", ["Name"] = "desk-c" } };
        });
        await using var server = await RunningServer.StartAsync(config, temp.Path);
        // The server listens on the link's address only (RunningServer's own client speaks to 127.0.0.1).
        var url = $"http://{serverAddress}:{server.Settings.Server.HttpPort}/";
        using var http = new HttpClient { BaseAddress = new Uri(url), Timeout = TimeSpan.FromSeconds(30) };
        var deploy = Cli(DeployCommand.Run, "--job", "lab", "--server", url);
        Assert.True(deploy.Code == 0, deploy.Error);

        using var target = TestDisk.Create(temp.File("target.img"), TestImage.DiskSize, sfdiskScript: null);
        var device = target.AttachWhole();
        try
        {
            // ezio.after=reboot comes with the job: if the cancel did not stop the client, it would
            // finish and reboot; so that a failing test cannot reboot the test host, the command
            // line says wait (the client's exit code tells which it would have done).
            using var client = ns.Start(RepositoryPaths.ClientBinary, [$"--server={serverAddress}:{server.Settings.Server.HttpPort}", $"--disk={device}", $"--mac={Mac}", "--after=wait", "--serverwait=0"]);
            var downloading = await WaitForAsync(http, server, row => row is { State: ProgressStates.Downloading, Report.BytesDone: > 0 }, client, TimeSpan.FromSeconds(60));
            Assert.True(downloading.Report!.BytesDone < downloading.Report!.BytesTotal / 2, $"the image was half written before the cancel ({downloading.Report!.BytesDone} of {downloading.Report!.BytesTotal}): the link is not slow");

            var cancel = Cli(DeployCommand.Run, "--cancel", "--job", "lab", "--server", url);
            Assert.True(cancel.Code == 0, cancel.Error);
            Assert.Contains("1 machine(s) deploying now are told to stop at their next report", cancel.Output, StringComparison.Ordinal);

            Assert.True(client.WaitForExit(TimeSpan.FromSeconds(30)), "the client did not stop after the cancel:\n" + client.Output);
            Assert.True(client.ExitCode == 12, $"exit {client.ExitCode}\n{client.Output}");
            Assert.Contains("CANCELLED: cancelled on the server", client.Output, StringComparison.Ordinal);
            Assert.Contains("the disk is incomplete", client.Output, StringComparison.Ordinal);
            Assert.Contains("not doing ezio.after=wait", client.Output, StringComparison.Ordinal);

            // The server: the machine failed with the reason, its deployment is in the history with
            // who armed it, and it has no job any more (its next boot gets its disk, not a new deployment).
            var failed = await WaitForAsync(http, server, row => row.State == ProgressStates.Failed, client, TimeSpan.FromSeconds(10));
            Assert.Contains("cancelled on the server", failed.Report!.Error, StringComparison.Ordinal);
            Assert.True(failed.Report!.BytesDone < failed.Report!.BytesTotal, $"{failed.Report!.BytesDone} of {failed.Report!.BytesTotal}");
            var status = await StatusAsync(http);
            var record = Assert.Single(status.History);
            Assert.Equal((Mac, "failed"), (record.Mac, record.Result));
            Assert.Contains("eziopxe deploy", record.ArmedBy, StringComparison.Ordinal);
            Assert.Equal(System.Net.HttpStatusCode.NotFound, (await http.GetAsync($"jobs/{Mac}")).StatusCode);
        }
        finally
        {
            target.Detach(device);
        }
    }

    /// <summary>A veth pair between this host and <paramref name="ns"/>, what the server sends held to 8 Mbit/s by tbf; returns the host end's address.</summary>
    private static string SlowLink(NetworkNamespace ns)
    {
        var id = Random.Shared.Next(0x10000).ToString("x4", CultureInfo.InvariantCulture);
        var subnet = Random.Shared.Next(1, 250).ToString(CultureInfo.InvariantCulture);
        var (host, inside) = ($"ezc{id}h", $"ezc{id}n");
        var (server, client) = ($"10.79.{subnet}.1", $"10.79.{subnet}.2");
        Tool.Run("ip", "link", "add", host, "type", "veth", "peer", "name", inside, "netns", ns.Name).EnsureSuccess("ip link add veth");
        // Deleting the namespace deletes the pair; the host end goes with it.
        Tool.Run("ip", "addr", "add", server + "/30", "dev", host).EnsureSuccess("ip addr add");
        Tool.Run("ip", "link", "set", host, "up").EnsureSuccess("ip link set up");
        Tool.Run("tc", "qdisc", "add", "dev", host, "root", "tbf", "rate", "8mbit", "burst", "32kb", "latency", "100ms").EnsureSuccess("tc qdisc add tbf");
        ns.Ip("addr", "add", client + "/30", "dev", inside);
        ns.Ip("link", "set", inside, "up");
        return server;
    }

    private static async Task<ServerStatus> StatusAsync(HttpClient http) =>
        JsonSerializer.Deserialize(await http.GetStringAsync("status"), StatusJsonContext.Default.ServerStatus)!;

    private static async Task<MachineStatus> WaitForAsync(HttpClient http, RunningServer server, Func<MachineStatus, bool> condition, BackgroundProcess client, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (true)
        {
            var row = (await StatusAsync(http)).Machines.SingleOrDefault(m => m.Mac == Mac);
            if (row != null && condition(row))
            {
                return row;
            }
            Assert.True(DateTime.UtcNow < until, $"timed out; machine {row?.State} {row?.Report?.BytesDone}/{row?.Report?.BytesTotal}\n{client.Output}\n{server.Log.Text}");
            await Task.Delay(100);
        }
    }

    private static (int Code, string Output, string Error) Cli(Func<string[], TextWriter, TextWriter, int> command, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = command(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}

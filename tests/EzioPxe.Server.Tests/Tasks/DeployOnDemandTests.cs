using System.Net;
using System.Text;
using System.Text.Json;
using EzioPxe.Contracts.Progress;
using EzioPxe.Server.Cli;
using EzioPxe.Server.Status;
using EzioPxe.Server.Tasks;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.Tasks;

/// <summary>
/// Deploy on demand against a real server over HTTP: machines boot their disk until `eziopxe
/// deploy` arms a task; the task ends when the machine reports done; tasks and history survive a
/// restart; unlisted machines wait unless "any" is armed.
/// </summary>
public sealed class DeployOnDemandTests
{
    private static async Task<ServerStatus> Status(LifecycleServer lab) =>
        JsonSerializer.Deserialize(await lab.Server.Http.GetStringAsync("status"), StatusJsonContext.Default.ServerStatus)!;

    private static MachineStatus Row(ServerStatus status, string mac) => status.Machines.Single(m => m.Mac == mac);

    private static (int Code, string Output, string Error) Cli(Func<string[], TextWriter, TextWriter, int> command, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = command(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task A_listed_machine_deploys_once_when_armed_then_boots_its_disk_and_tasks_survive_a_restart()
    {
        await using var lab = await LifecycleServer.StartAsync();
        var ipxe = $"ipxe/{LifecycleServer.Hyphenated(LifecycleServer.First)}.ipxe";

        // Nothing armed: listed machines are expected (idle), and one that boots gets its disk, in every loader's language.
        var before = await Status(lab);
        Assert.Equal(MachineStates.Idle, Row(before, LifecycleServer.Second).State);
        Assert.Equal("desk-2", Row(before, LifecycleServer.Second).Name);
        var local = await lab.Menu(ipxe);
        Assert.Contains("sanboot --no-describe --drive 0x80 || exit", local, StringComparison.Ordinal);
        Assert.Contains("iseq ${platform} efi && exit 1 ||", local, StringComparison.Ordinal);
        Assert.DoesNotContain("vmlinuz", local, StringComparison.Ordinal);
        Assert.Contains("LOCALBOOT 0", await lab.Menu($"pxelinux.cfg/01-{LifecycleServer.Hyphenated(LifecycleServer.First)}"), StringComparison.Ordinal);
        Assert.Matches(@"menuentry ""Local disk[^{]*\{\s*exit\s*\}", await lab.Menu($"grub/grub.cfg-01-{LifecycleServer.Hyphenated(LifecycleServer.First)}"));
        Assert.Equal(MachineStates.Waiting, Row(await Status(lab), LifecycleServer.First).State);
        Assert.Equal(HttpStatusCode.NotFound, (await lab.Server.Http.GetAsync($"jobs/{LifecycleServer.First}")).StatusCode);

        // eziopxe deploy --job lab: every machine listed with lab is armed.
        var deploy = Cli(DeployCommand.Run, "--job", "lab", "--server", lab.Server.BaseUrl);
        Assert.True(deploy.Code == 0, deploy.Error);
        Assert.Contains($"job lab is armed for 2 machine(s)", deploy.Output, StringComparison.Ordinal);
        Assert.Contains(LifecycleServer.First, deploy.Output, StringComparison.Ordinal);
        Assert.Equal(MachineStates.Armed, Row(await Status(lab), LifecycleServer.Second).State);

        // Its next boot gets the deploy kernel and the job; the phase follows from the boot request on.
        var script = await lab.Menu(ipxe);
        Assert.Contains("kernel http://127.0.0.1:", script, StringComparison.Ordinal);
        Assert.Contains("ezio.server=127.0.0.1:", script, StringComparison.Ordinal);
        var booting = Row(await Status(lab), LifecycleServer.First);
        Assert.Equal((MachineStates.Booting, TaskStates.Running), (booting.State, booting.Task));
        Assert.Equal(HttpStatusCode.OK, (await lab.Server.Http.GetAsync($"jobs/{LifecycleServer.First}")).StatusCode);
        await lab.Report(LifecycleServer.First, ProgressStates.Downloading);
        var downloading = Row(await Status(lab), LifecycleServer.First);
        Assert.Equal((ProgressStates.Downloading, 5_000_000L, 9L), (downloading.State, downloading.Report!.DownloadRate, downloading.Report.EtaSeconds));

        // Done: the task ends, the rate is not shown any more, the history has it, and the next boot gets the disk.
        await lab.Report(LifecycleServer.First, ProgressStates.Done);
        var done = await Status(lab);
        var doneRow = Row(done, LifecycleServer.First);
        Assert.Equal((ProgressStates.Done, null, 0L, (long?)null), (doneRow.State, doneRow.Task, doneRow.Report!.DownloadRate, doneRow.Report.EtaSeconds));
        var record = Assert.Single(done.History);
        Assert.Equal((LifecycleServer.First, "desk-1", "lab", "done"), (record.Mac, record.Name, record.Job, record.Result));
        Assert.Matches(@"^eziopxe deploy \(.+@.+\) from 127\.0\.0\.1$", record.ArmedBy);
        Assert.True(record.FinishedAt >= record.StartedAt);
        Assert.Contains("sanboot", await lab.Menu(ipxe), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await lab.Server.Http.GetAsync($"jobs/{LifecycleServer.First}")).StatusCode);
        // It booted its disk after its deployment: it still shows done, not waiting.
        Assert.Equal(ProgressStates.Done, Row(await Status(lab), LifecycleServer.First).State);

        // The second machine's task and the history are in DataDirectory: a restart keeps both.
        Assert.True(File.Exists(Path.Combine(lab.DataDirectory, TaskStore.FileName)));
        await lab.RestartAsync();
        var list = Cli(DeployCommand.Run, "--list", "--server", lab.Server.BaseUrl);
        Assert.Matches($@"(?m)^{LifecycleServer.Second}\s+lab\s+armed\s+", list.Output);
        Assert.DoesNotContain(LifecycleServer.First, list.Output, StringComparison.Ordinal);
        var afterRestart = await Status(lab);
        Assert.Equal(LifecycleServer.First, Assert.Single(afterRestart.History).Mac);
        Assert.Contains("kernel", await lab.Menu($"ipxe/{LifecycleServer.Hyphenated(LifecycleServer.Second)}.ipxe"), StringComparison.Ordinal);

        // A failure ends the task too (re-arm to try again); `eziopxe status` shows the history.
        await lab.Report(LifecycleServer.Second, ProgressStates.Failed, "disk /dev/vda is too small");
        var status = Cli(StatusCommand.Run, "--server", lab.Server.BaseUrl);
        Assert.Matches($@"(?m)^\d{{4}}-\d\d-\d\d \d\d:\d\d:\d\d\s+{LifecycleServer.Second}\s+desk-2\s+lab\s+failed: disk /dev/vda is too small", status.Output);
        Assert.Contains("sanboot", await lab.Menu($"ipxe/{LifecycleServer.Hyphenated(LifecycleServer.Second)}.ipxe"), StringComparison.Ordinal);
        var history = JsonSerializer.Deserialize(await File.ReadAllTextAsync(Path.Combine(lab.DataDirectory, DeploymentHistory.FileName)), TaskJsonContext.Default.ListDeploymentRecord)!;
        Assert.Equal([LifecycleServer.First, LifecycleServer.Second], history.Select(h => h.Mac));
    }

    [Fact]
    public async Task An_unlisted_machine_waits_and_boots_its_disk_unless_any_machine_is_armed_and_then_only_once()
    {
        await using var lab = await LifecycleServer.StartAsync();
        var ipxe = $"ipxe/{LifecycleServer.Hyphenated(LifecycleServer.Stranger)}.ipxe";

        Assert.Contains("sanboot", await lab.Menu(ipxe), StringComparison.Ordinal);
        var waiting = Row(await Status(lab), LifecycleServer.Stranger);
        Assert.Equal((MachineStates.Waiting, false, null), (waiting.State, waiting.Listed, waiting.Task));
        // all-listed (the default) never reaches an unlisted machine: no machine is listed with exam.
        Assert.Equal(2, Cli(DeployCommand.Run, "--job", "exam", "--machines", "all-listed", "--server", lab.Server.BaseUrl).Code);
        Assert.Contains("sanboot", await lab.Menu(ipxe), StringComparison.Ordinal);

        var any = Cli(DeployCommand.Run, "--job", "exam", "--machines", "any", "--server", lab.Server.BaseUrl);
        Assert.True(any.Code == 0, any.Error);
        Assert.Contains("every machine that network-boots", any.Output, StringComparison.Ordinal);
        Assert.Contains("kernel", await lab.Menu(ipxe), StringComparison.Ordinal);
        Assert.Equal("exam", Row(await Status(lab), LifecycleServer.Stranger).Job);
        await lab.Report(LifecycleServer.Stranger, ProgressStates.Checking);
        await lab.Report(LifecycleServer.Stranger, ProgressStates.Done);
        // Served once: while "any" stays armed, this machine now boots its disk; a new one would deploy.
        Assert.Contains("sanboot", await lab.Menu(ipxe), StringComparison.Ordinal);
        Assert.Contains("kernel", await lab.Menu("ipxe/52-54-00-5a-00-98.ipxe"), StringComparison.Ordinal);

        var cancel = Cli(DeployCommand.Run, "--cancel", "--job", "exam", "--server", lab.Server.BaseUrl);
        Assert.True(cancel.Code == 0, cancel.Error);
        Assert.Contains("cancelled 1 task(s) and the any-machine task of job exam", cancel.Output, StringComparison.Ordinal);
        Assert.Contains("sanboot", await lab.Menu("ipxe/52-54-00-5a-00-97.ipxe"), StringComparison.Ordinal);
        Assert.Contains("sanboot", await lab.Menu("ipxe/52-54-00-5a-00-98.ipxe"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_requests_are_refused_with_the_reason_and_arm_nothing()
    {
        await using var lab = await LifecycleServer.StartAsync();
        var url = lab.Server.BaseUrl;

        var unknownJob = Cli(DeployCommand.Run, "--job", "nosuch", "--server", url);
        Assert.Equal(2, unknownJob.Code);
        Assert.Contains("job: no job 'nosuch' (jobs: ", unknownJob.Error, StringComparison.Ordinal);
        var badMac = Cli(DeployCommand.Run, "--job", "lab", "--machines", "52:54:00:5a:00:01,not-a-mac", "--server", url);
        Assert.Equal(2, badMac.Code);
        Assert.Contains("'not-a-mac' is not a MAC address", badMac.Error, StringComparison.Ordinal);
        var noneListed = Cli(DeployCommand.Run, "--job", "exam", "--server", url);
        Assert.Equal(2, noneListed.Code);
        Assert.Contains("no machine is listed with job 'exam'", noneListed.Error, StringComparison.Ordinal);
        Assert.Equal(2, Cli(DeployCommand.Run, "--job").Code);
        var unreachable = Cli(DeployCommand.Run, "--job", "lab", "--server", "127.0.0.1:1");
        Assert.Equal(1, unreachable.Code);
        Assert.Contains("http://127.0.0.1:1/tasks:", unreachable.Error, StringComparison.Ordinal);
        Assert.Contains("--server", unreachable.Error, StringComparison.Ordinal);

        // Not JSON (what a cross-site form could send): refused before anything is read.
        using var form = await lab.Server.Http.PostAsync("tasks", new StringContent("job=lab", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, form.StatusCode);
        using var garbage = await lab.Server.Http.PostAsync("tasks", new StringContent("{\"job\": [", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, garbage.StatusCode);

        Assert.Contains("No machine has a task", Cli(DeployCommand.Run, "--list", "--server", url).Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_broken_task_file_stops_the_start_with_its_name()
    {
        await using var lab = await LifecycleServer.StartAsync();
        await lab.Server.DisposeAsync();
        await File.WriteAllTextAsync(Path.Combine(lab.DataDirectory, TaskStore.FileName), "{ \"tasks\": [ {");
        var error = await Assert.ThrowsAsync<EzioPxe.Server.Configuration.ConfigurationException>(lab.RestartAsync);
        Assert.Contains(TaskStore.FileName + ": not valid JSON", error.Message, StringComparison.Ordinal);
        File.Delete(Path.Combine(lab.DataDirectory, TaskStore.FileName));
        await lab.RestartAsync();
    }

    [Fact]
    public void Status_finds_the_server_from_the_configuration_file_or_says_where_to_point_it()
    {
        using var temp = new TempDirectory("locate");
        File.WriteAllText(temp.File("eziopxe.json"), "{ \"Server\": { \"Address\": \"0.0.0.0\", \"HttpPort\": 1 } }");
        var status = Cli(StatusCommand.Run, "--config", temp.File("eziopxe.json"));
        Assert.Equal(1, status.Code);
        Assert.Contains("http://127.0.0.1:1/status:", status.Error, StringComparison.Ordinal);
        Assert.Contains("Server:Address and Server:HttpPort of " + temp.File("eziopxe.json"), status.Error, StringComparison.Ordinal);
        Assert.Contains("point it at the server with --server HOST:PORT", status.Error, StringComparison.Ordinal);
        File.WriteAllText(temp.File("other.json"), "{ \"Server\": { \"Address\": \"10.9.0.1\", \"HttpPort\": 8081 } }");
        Assert.Equal(new Uri("http://10.9.0.1:8081/"), ServerLocator.Find(null, temp.File("other.json")).Server!.BaseUri);
    }
}

using System.Text.Json;
using EzioPxe.Server.Tasks;

namespace EzioPxe.Server.Cli;

/// <summary>
/// `eziopxe deploy`: arms (or cancels, or lists) deployment tasks on the running server through
/// POST /tasks. Exit codes: 0 done, 1 server unreachable or refused, 2 bad usage or request.
/// </summary>
public static class DeployCommand
{
    public const string Usage =
        "usage: eziopxe deploy [--job JOB] [--machines MAC,MAC|all-listed|any] [--server URL] [--config FILE]\n" +
        "       eziopxe deploy --cancel [--job JOB] [--machines MAC,MAC] [--server URL]\n" +
        "       eziopxe deploy --list [--server URL]\n" +
        "  --job       the job to deploy (default: DefaultJob)\n" +
        "  --machines  all-listed (default: every machine Machines lists with the job), MACs separated by commas,\n" +
        "              or any (every machine that network-boots while armed, listed or not; each once)\n" +
        "  --cancel    cancel armed tasks (of the job, or all) and the any-machine task\n" +
        "  --list      print the armed and running tasks\n" +
        "  Each machine deploys at its next network boot, once; afterwards it boots its own disk.\n" +
        "  The server is found like `eziopxe status` finds it: " + ServerLocator.Hint + ".";

    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (CommandArguments.Parse("deploy", Usage, args, ["--job", "--machines"], ["--cancel", "--list"], output, error, out var exit) is not { } parsed)
        {
            return exit;
        }
        if (parsed.FindServer(error) is not { } server)
        {
            return 2;
        }
        if (parsed.Has("--list"))
        {
            try
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
                var tasks = JsonSerializer.Deserialize(http.GetStringAsync(server.Url("/tasks")).GetAwaiter().GetResult(), TaskJsonContext.Default.TaskFile)!;
                output.Write(TaskTable.Format(tasks));
                return 0;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
            {
                error.WriteLine($"eziopxe deploy: {server.Unreachable("/tasks", e)}");
                return 1;
            }
        }
        var request = new ArmRequest { Job = parsed["--job"], Machines = parsed.List("--machines") };
        return ControlClient.Send(parsed, server, parsed.Has("--cancel") ? "/tasks/cancel" : "/tasks", request, TaskJsonContext.Default.ArmRequest,
            TaskJsonContext.Default.ArmResult, result => result.Message + (result.Machines.Count > 0 ? ": " + string.Join(", ", result.Machines) : ""), output, error);
    }
}

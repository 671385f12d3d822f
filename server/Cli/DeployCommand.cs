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
        string? job = null, machines = null, server = null, config = null;
        bool cancel = false, list = false;
        string? missing = null;
        for (var i = 0; i < args.Length && missing == null; i++)
        {
            string? Value()
            {
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    missing = args[i];
                    return null;
                }
                return args[++i];
            }
            switch (args[i])
            {
                case "--job" or "-j":
                    job = Value();
                    break;
                case "--machines" or "-m":
                    machines = Value();
                    break;
                case "--server" or "-s":
                    server = Value();
                    break;
                case "--config" or "-c":
                    config = Value();
                    break;
                case "--cancel":
                    cancel = true;
                    break;
                case "--list":
                    list = true;
                    break;
                case "-h" or "--help":
                    output.WriteLine(Usage);
                    return 0;
                default:
                    error.WriteLine($"eziopxe deploy: unexpected argument '{args[i]}'\n{Usage}");
                    return 2;
            }
        }
        if (missing != null)
        {
            error.WriteLine($"eziopxe deploy: {missing} needs a value\n{Usage}");
            return 2;
        }
        var (located, locateError) = ServerLocator.Find(server, config);
        if (located == null)
        {
            error.WriteLine($"eziopxe deploy: {locateError}");
            return 2;
        }
        try
        {
            if (list)
            {
                using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
                var tasks = JsonSerializer.Deserialize(http.GetStringAsync(located.Url("/tasks")).GetAwaiter().GetResult(), TaskJsonContext.Default.TaskFile)!;
                output.Write(TaskTable.Format(tasks));
                return 0;
            }
            var request = new ArmRequest { Job = job, Machines = machines?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList() };
            var (status, body) = ControlClient.Post(located, "deploy", cancel ? "/tasks/cancel" : "/tasks", request, TaskJsonContext.Default.ArmRequest);
            if (status != 200)
            {
                error.Write($"eziopxe deploy: the server refused ({status}): {body}");
                return status is 400 or 409 ? 2 : 1;
            }
            var result = JsonSerializer.Deserialize(body, TaskJsonContext.Default.ArmResult)!;
            output.WriteLine(result.Message + (result.Machines.Count > 0 ? ": " + string.Join(", ", result.Machines) : ""));
            return 0;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            error.WriteLine($"eziopxe deploy: {located.Unreachable(list ? "/tasks" : cancel ? "/tasks/cancel" : "/tasks", e)}");
            return 1;
        }
    }
}

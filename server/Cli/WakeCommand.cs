using System.Text.Json;
using EzioPxe.Server.Tasks;

namespace EzioPxe.Server.Cli;

/// <summary>
/// `eziopxe wake`: asks the running server (POST /wake) to send Wake-on-LAN magic packets to a
/// room's machines on its deployment interface. Exit codes: 0 sent, 1 unreachable or refused, 2 bad usage or request.
/// </summary>
public static class WakeCommand
{
    public const string Usage =
        "usage: eziopxe wake [--job JOB] [--machines MAC,MAC|all-listed] [--server URL] [--config FILE]\n" +
        "  Sends magic packets (UDP broadcast to port 9, on NetBoot:Interface) from the server to the machines\n" +
        "  Machines lists with JOB (every listed machine without --job), or to the MACs given.\n" +
        "  The server is found like `eziopxe status` finds it: " + ServerLocator.Hint + ".";

    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        string? job = null, machines = null, server = null, config = null, missing = null;
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
                case "-h" or "--help":
                    output.WriteLine(Usage);
                    return 0;
                default:
                    error.WriteLine($"eziopxe wake: unexpected argument '{args[i]}'\n{Usage}");
                    return 2;
            }
        }
        if (missing != null)
        {
            error.WriteLine($"eziopxe wake: {missing} needs a value\n{Usage}");
            return 2;
        }
        var (located, locateError) = ServerLocator.Find(server, config);
        if (located == null)
        {
            error.WriteLine($"eziopxe wake: {locateError}");
            return 2;
        }
        try
        {
            var request = new WakeRequest { Job = job, Machines = machines?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList() };
            var (status, body) = ControlClient.Post(located, "wake", "/wake", request, TaskJsonContext.Default.WakeRequest);
            if (status != 200)
            {
                error.Write($"eziopxe wake: the server refused ({status}): {body}");
                return status == 400 ? 2 : 1;
            }
            var result = JsonSerializer.Deserialize(body, TaskJsonContext.Default.WakeResult)!;
            output.WriteLine(result.Message + ": " + string.Join(", ", result.Machines));
            return 0;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            error.WriteLine($"eziopxe wake: {located.Unreachable("/wake", e)}");
            return 1;
        }
    }
}

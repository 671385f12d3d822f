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
        if (CommandArguments.Parse("wake", Usage, args, ["--job", "--machines"], [], output, error, out var exit) is not { } parsed)
        {
            return exit;
        }
        if (parsed.FindServer(error) is not { } server)
        {
            return 2;
        }
        var request = new WakeRequest { Job = parsed["--job"], Machines = parsed.List("--machines") };
        return ControlClient.Send(parsed, server, "/wake", request, TaskJsonContext.Default.WakeRequest,
            TaskJsonContext.Default.WakeResult, result => result.Message + ": " + string.Join(", ", result.Machines), output, error);
    }
}

using System.Net.Http.Json;
using System.Text.Json;
using EzioPxe.Server.Status;

namespace EzioPxe.Server.Cli;

/// <summary>
/// `eziopxe status [--server URL] [--config FILE] [--json]`: reads GET /status and prints it as
/// tables. The server is found by <see cref="ServerLocator"/>. Exit 0, 1 unreachable, 2 usage.
/// </summary>
public static class StatusCommand
{
    public const string Usage =
        "usage: eziopxe status [--server URL] [--config FILE] [--json]\n" +
        "  --server  the eziopxe server (default: $EZIOPXE_SERVER, else Server:Address and Server:HttpPort\n" +
        "            of the configuration serve reads (--config, $EZIOPXE_CONFIG, ./eziopxe.json,\n" +
        "            /etc/eziopxe/eziopxe.json), else http://127.0.0.1:8080)\n" +
        "  --json    print the server's JSON as it came";

    public static int Run(string[] args) => Run(args, Console.Out, Console.Error);

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (CommandArguments.Parse("status", Usage, args, [], ["--json"], output, error, out var exit) is not { } parsed)
        {
            return exit;
        }
        if (parsed.FindServer(error) is not { } located)
        {
            return 2;
        }
        var json = parsed.Has("--json");
        var url = located.Url("/status");
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            if (json)
            {
                output.WriteLine(http.GetStringAsync(url).GetAwaiter().GetResult());
                return 0;
            }
            var status = http.GetFromJsonAsync(url, StatusJsonContext.Default.ServerStatus).GetAwaiter().GetResult()
                ?? throw new JsonException("null");
            output.Write(StatusTable.Format(status));
            return 0;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            error.WriteLine($"eziopxe status: {located.Unreachable("/status", e)}");
            return 1;
        }
    }
}

namespace EzioPxe.Server.Cli;

/// <summary>
/// The arguments of the commands that talk to a running server (status, deploy, wake), read one
/// way: "--name VALUE" options (each also "-n VALUE", its first letter), "--flag" switches, -h.
/// Every such command takes --server and --config, which say where the server is.
/// </summary>
public sealed class CommandArguments
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private readonly HashSet<string> _flags = new(StringComparer.Ordinal);

    private CommandArguments(string command) => Command = command;

    /// <summary>"deploy", as messages name it: "eziopxe deploy: ...".</summary>
    public string Command { get; }

    /// <summary>The value of an option ("--job"); null when not given.</summary>
    public string? this[string option] => _values.GetValueOrDefault(option);

    public bool Has(string flag) => _flags.Contains(flag);

    /// <summary>A comma-separated option as a list ("--machines a,b"); null when not given.</summary>
    public List<string>? List(string option) =>
        this[option]?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    /// <summary>
    /// Reads <paramref name="args"/>; null when the command is to stop with <paramref name="exit"/>:
    /// 0 after printing the usage for -h, 2 after naming what is wrong with the arguments.
    /// </summary>
    /// <param name="options">Options that take a value, besides --server and --config.</param>
    public static CommandArguments? Parse(string command, string usage, string[] args, IReadOnlyList<string> options, IReadOnlyList<string> flags,
        TextWriter output, TextWriter error, out int exit)
    {
        string[] valued = [.. options, "--server", "--config"];
        var parsed = new CommandArguments(command);
        exit = 0;
        for (var i = 0; i < args.Length; i++)
        {
            var option = valued.FirstOrDefault(o => args[i] == o || args[i] == o[1..3]);
            if (option != null)
            {
                if (i + 1 >= args.Length || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    error.WriteLine($"eziopxe {command}: {args[i]} needs a value\n{usage}");
                    exit = 2;
                    return null;
                }
                parsed._values[option] = args[++i];
            }
            else if (flags.Contains(args[i]))
            {
                parsed._flags.Add(args[i]);
            }
            else if (args[i] is "-h" or "--help")
            {
                output.WriteLine(usage);
                return null;
            }
            else
            {
                error.WriteLine($"eziopxe {command}: unexpected argument '{args[i]}'\n{usage}");
                exit = 2;
                return null;
            }
        }
        return parsed;
    }

    /// <summary>The server --server or --config points at (<see cref="ServerLocator"/>); null after naming the problem.</summary>
    public ServerLocator? FindServer(TextWriter error)
    {
        var (located, problem) = ServerLocator.Find(this["--server"], this["--config"]);
        if (located == null)
        {
            error.WriteLine($"eziopxe {Command}: {problem}");
        }
        return located;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace EzioPxe.TestSupport.VirtualLan;

/// <summary>
/// A Linux network namespace for one test, named "ezpx-PID-N-RANDOM" so parallel test runs never
/// collide. Dispose kills every process still inside it and deletes it, which also removes every
/// interface in it (bridge, taps, veth ends). Namespaces left by a test process that died are
/// swept by the next <see cref="Create"/>.
/// </summary>
public sealed partial class NetworkNamespace : IDisposable
{
    private const string Prefix = "ezpx-";
    private static int _counter;
    private readonly List<BackgroundProcess> _processes = [];
    private bool _disposed;

    private NetworkNamespace(string name) => Name = name;

    public string Name { get; }

    public static NetworkNamespace Create()
    {
        SweepOrphans();
        var name = string.Create(CultureInfo.InvariantCulture,
            $"{Prefix}{Environment.ProcessId}-{Interlocked.Increment(ref _counter)}-{Random.Shared.Next(0x10000):x4}");
        Tool.Run("ip", "netns", "add", name).EnsureSuccess($"ip netns add {name}");
        var created = new NetworkNamespace(name);
        try
        {
            created.Ip("link", "set", "lo", "up");
        }
        catch
        {
            created.Dispose();
            throw;
        }
        return created;
    }

    /// <summary>Runs `ip ARGS` inside the namespace (ip -n); throws with the tool's output on failure.</summary>
    public ToolResult Ip(params string[] arguments) =>
        Tool.Run("ip", ["-n", Name, .. arguments], TimeSpan.FromSeconds(30)).EnsureSuccess($"ip -n {Name} {string.Join(' ', arguments)}");

    /// <summary>Runs a program inside the namespace and waits for it.</summary>
    public ToolResult Run(TimeSpan timeout, string fileName, params string[] arguments) =>
        Tool.Run("ip", ["netns", "exec", Name, fileName, .. arguments], timeout);

    /// <summary>Starts a long-running program inside the namespace; it is killed on dispose at the latest.</summary>
    public BackgroundProcess Start(string fileName, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, bool withInput = false)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var process = BackgroundProcess.Start("ip", ["netns", "exec", Name, fileName, .. arguments], environment, withInput);
        lock (_processes)
        {
            _processes.Add(process);
        }
        return process;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        lock (_processes)
        {
            foreach (var process in _processes)
            {
                process.Dispose();
            }
        }
        Delete(Name);
    }

    private static void Delete(string name)
    {
        // Anything else still running in it (started by a test through other means) goes first,
        // or the namespace would live on after its name is removed.
        var pids = Tool.Run("ip", ["netns", "pids", name], TimeSpan.FromSeconds(10));
        foreach (var line in pids.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(line.Trim(), CultureInfo.InvariantCulture, out var pid))
            {
                try
                {
                    using var process = Process.GetProcessById(pid);
                    process.Kill(entireProcessTree: true);
                    process.WaitForExit(5000);
                }
                catch (ArgumentException)
                {
                }
                catch (InvalidOperationException)
                {
                }
            }
        }
        Tool.Run("ip", ["netns", "delete", name], TimeSpan.FromSeconds(30));
    }

    private static void SweepOrphans()
    {
        var list = Tool.Run("ip", ["netns", "list"], TimeSpan.FromSeconds(10));
        foreach (Match match in OrphanName().Matches(list.StandardOutput))
        {
            var pid = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
            if (!Directory.Exists($"/proc/{pid}"))
            {
                Delete(match.Groups[1].Value);
            }
        }
    }

    [GeneratedRegex(@"^(ezpx-(\d+)-\d+-[0-9a-f]{4})\b", RegexOptions.Multiline)]
    private static partial Regex OrphanName();
}

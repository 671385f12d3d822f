using System.Diagnostics;
using System.Text;
using EzioPxe.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace EzioPxe.Server.Tests.Room;

/// <summary>
/// A script of the repository run from a test: demo/run.sh (the whole room: server in a
/// namespace, QEMU machines, disk checks) or a benchmark of bench/.
/// </summary>
internal static class RepositoryScript
{
    /// <summary>Runs <paramref name="script"/> (relative to the repository) with bash and returns its exit code and output; SIGTERM on timeout so its trap cleans up.</summary>
    public static (int ExitCode, string Output) Run(ITestOutputHelper output, string script, string[] arguments, TimeSpan timeout)
    {
        var startInfo = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        startInfo.ArgumentList.Add(RepositoryPaths.Of(script));
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        var text = new StringBuilder();
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {script}");
        void Collect(object _, DataReceivedEventArgs e)
        {
            if (e.Data != null)
            {
                lock (text)
                {
                    text.AppendLine(e.Data);
                }
            }
        }
        process.OutputDataReceived += Collect;
        process.ErrorDataReceived += Collect;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            // The script's trap removes the namespace, the machines and the loop devices; a kill
            // of the whole tree would leave them behind.
            Tool.Run("kill", "-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            process.WaitForExit(TimeSpan.FromSeconds(60));
            output.WriteLine(text.ToString());
            Assert.Fail($"{script} did not finish within {timeout}");
        }
        process.WaitForExit();
        var all = text.ToString();
        output.WriteLine(all);
        return (process.ExitCode, all);
    }

    /// <summary>The eziopxe.dll of the configuration this test assembly was built in.</summary>
    public static string ServerDll()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/')).Parent!.Name;
        var dll = RepositoryPaths.Of($"server/bin/{configuration}/net10.0/eziopxe.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing");
        return dll;
    }
}

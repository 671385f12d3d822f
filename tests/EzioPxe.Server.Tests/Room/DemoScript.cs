using System.Diagnostics;
using System.Text;
using EzioPxe.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace EzioPxe.Server.Tests.Room;

/// <summary>demo/run.sh from a test: the whole room (server in a namespace, QEMU machines, disk checks).</summary>
internal static class DemoScript
{
    /// <summary>Runs demo/run.sh and returns its exit code and output; SIGTERM on timeout so its trap cleans up.</summary>
    public static (int ExitCode, string Output) Run(ITestOutputHelper output, string[] arguments, TimeSpan timeout)
    {
        var startInfo = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        startInfo.ArgumentList.Add(RepositoryPaths.Of("demo/run.sh"));
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        var text = new StringBuilder();
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start demo/run.sh");
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
            Assert.Fail($"demo/run.sh did not finish within {timeout}");
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

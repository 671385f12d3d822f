using System.Diagnostics;
using System.Text;

namespace EzioPxe.TestSupport;

/// <summary>What an external program printed and how it ended.</summary>
public sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Throws with both streams in the message when the program failed, so a test says why.</summary>
    public ToolResult EnsureSuccess(string what)
    {
        if (ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} exited {ExitCode}\nstdout: {StandardOutput}\nstderr: {StandardError}");
        }
        return this;
    }
}

/// <summary>Runs the real tools the tests compare against (mkfs, losetup, curl, python3 ...).</summary>
public static class Tool
{
    public static ToolResult Run(string fileName, params string[] arguments) => Run(fileName, arguments, TimeSpan.FromMinutes(5));

    public static ToolResult Run(string fileName, IEnumerable<string> arguments, TimeSpan timeout, string? workingDirectory = null, string? standardInput = null)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput != null,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {fileName}");
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data != null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data != null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (standardInput != null)
        {
            process.StandardInput.Write(standardInput);
            process.StandardInput.Close();
        }
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish within {timeout}");
        }
        process.WaitForExit();
        return new ToolResult(process.ExitCode, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs a shell command line; for pipelines that are clearer in sh than in C#.</summary>
    public static ToolResult Shell(string commandLine) => Run("/bin/sh", new[] { "-c", commandLine }, TimeSpan.FromMinutes(5));

    /// <summary>Starts a long-running program (a seeder, a tracker) that the test stops by disposing.</summary>
    public static BackgroundProcess Start(string fileName, params string[] arguments) => BackgroundProcess.Start(fileName, arguments);
}

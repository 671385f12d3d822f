using System.Diagnostics;
using System.Text;

namespace EzioPxe.TestSupport;

/// <summary>A program running beside a test; killed with its children on dispose.</summary>
public sealed class BackgroundProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private BackgroundProcess(Process process) => _process = process;

    /// <summary>Starts <paramref name="fileName"/>; with <paramref name="withInput"/> its stdin is a pipe for <see cref="SendInput"/>.</summary>
    public static BackgroundProcess Start(string fileName, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, bool withInput = false)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardInput = withInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        if (environment != null)
        {
            foreach (var (key, value) in environment)
            {
                startInfo.Environment[key] = value;
            }
        }
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"could not start {fileName}");
        var background = new BackgroundProcess(process);
        process.OutputDataReceived += (_, e) => background.Append(e.Data);
        process.ErrorDataReceived += (_, e) => background.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return background;
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public int ProcessId => _process.Id;

    /// <summary>Everything printed so far on stdout and stderr, interleaved.</summary>
    public string Output
    {
        get { lock (_output) { return _output.ToString(); } }
    }

    /// <summary>Waits until the output contains <paramref name="text"/>; throws with the output on timeout or exit.</summary>
    public void WaitForOutput(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (Output.Contains(text, StringComparison.Ordinal))
            {
                return;
            }
            if (_process.HasExited && WaitForExit(TimeSpan.FromSeconds(5)) && !Output.Contains(text, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"process exited ({_process.ExitCode}) before printing '{text}':\n{Output}");
            }
            Thread.Sleep(50);
        }
        throw new TimeoutException($"no '{text}' within {timeout}:\n{Output}");
    }

    /// <summary>
    /// Waits until the process has exited and its last lines are in <see cref="Output"/>.
    /// Process.WaitForExit(timeout) returns before the redirected streams are read to their end
    /// (a test once missed the shutdown line that way); the async form waits for both.
    /// </summary>
    public bool WaitForExit(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            _process.WaitForExitAsync(cancel.Token).GetAwaiter().GetResult();
            return true;
        }
        catch (OperationCanceledException)
        {
            // Exited, but a child still holds the output open: what was read is all there is.
            return _process.HasExited;
        }
    }

    /// <summary>Writes to the process's stdin (started with <c>withInput</c>).</summary>
    public void SendInput(string text)
    {
        _process.StandardInput.Write(text);
        _process.StandardInput.Flush();
    }

    private void Append(string? line)
    {
        if (line == null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        _process.Dispose();
    }
}

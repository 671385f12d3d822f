using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace EzioPxe.Client.Tests.Initramfs;

/// <summary>
/// A QEMU virtual machine (TCG, no KVM here) that boots the kernel and initramfs directly, with its
/// serial console on QEMU's stdin/stdout so a test can read the console and type into a shell.
/// Disposing kills QEMU.
/// </summary>
public sealed class QemuMachine : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _console = new();
    private readonly Stopwatch _sinceStart = Stopwatch.StartNew();
    private readonly Task _reader;

    private QemuMachine(Process process)
    {
        _process = process;
        _reader = Task.Run(ReadConsoleAsync);
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data != null)
            {
                lock (_console)
                {
                    _console.Append("[qemu stderr] ").Append(e.Data).Append('\n');
                }
            }
        };
        _process.BeginErrorReadLine();
    }

    /// <summary>
    /// Boots <paramref name="image"/> with console=ttyS0 plus <paramref name="kernelArguments"/>.
    /// <paramref name="devices"/> are extra QEMU arguments (disks, NICs); the machine has no NIC
    /// unless they add one. With <paramref name="networkNamespace"/> QEMU runs inside that network
    /// namespace, where a tap device of the test's own waits for it.
    /// </summary>
    public static QemuMachine Boot(BootImage image, string kernelArguments, IEnumerable<string> devices, string? networkNamespace = null)
    {
        var arguments = new List<string>();
        string program;
        if (networkNamespace != null)
        {
            program = "ip";
            arguments.AddRange(new[] { "netns", "exec", networkNamespace, "qemu-system-x86_64" });
        }
        else
        {
            program = "qemu-system-x86_64";
        }
        arguments.AddRange(new[]
        {
            "-accel", "tcg", "-m", "512", "-smp", "1",
            "-nographic", "-no-reboot", "-nic", "none",
            "-kernel", image.KernelPath, "-initrd", image.InitramfsPath,
            // panic=-1: a kernel panic (PID 1 exiting) reboots at once, and -no-reboot ends QEMU,
            // so a broken init fails the test quickly instead of hanging it.
            "-append", "console=ttyS0 panic=-1 " + kernelArguments,
        });
        arguments.AddRange(devices);

        var startInfo = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }
        var process = Process.Start(startInfo) ?? throw new InvalidOperationException("could not start qemu-system-x86_64");
        return new QemuMachine(process);
    }

    /// <summary>Everything the console printed so far, with the terminal's carriage returns removed.</summary>
    public string Console
    {
        get
        {
            lock (_console)
            {
                return _console.ToString().Replace("\r", "", StringComparison.Ordinal);
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Waits until the console shows <paramref name="text"/>; returns the time since QEMU started.</summary>
    public TimeSpan WaitFor(string text, TimeSpan timeout) =>
        WaitUntil(console => console.Contains(text, StringComparison.Ordinal), $"'{text}'", timeout);

    public TimeSpan WaitFor(Regex pattern, TimeSpan timeout) =>
        WaitUntil(pattern.IsMatch, $"/{pattern}/", timeout);

    /// <summary>Types a line into the console (the serial port's receive side).</summary>
    public void SendLine(string line)
    {
        _process.StandardInput.Write(line + "\n");
        _process.StandardInput.Flush();
    }

    public bool WaitForExit(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            return false;
        }
        _reader.Wait(TimeSpan.FromSeconds(5));
        return true;
    }

    /// <summary>Waits until <paramref name="condition"/> holds for the console text; <paramref name="what"/> names it in errors.</summary>
    public TimeSpan WaitUntil(Func<string, bool> condition, string what, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var console = Console;
            if (condition(console))
            {
                return _sinceStart.Elapsed;
            }
            if (_process.HasExited)
            {
                _reader.Wait(TimeSpan.FromSeconds(5));
                if (condition(Console))
                {
                    return _sinceStart.Elapsed;
                }
                throw new InvalidOperationException($"QEMU exited ({_process.ExitCode}) before the console showed {what}:\n{Tail(Console)}");
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the console did not show {what} within {timeout}:\n{Tail(console)}");
            }
            Thread.Sleep(50);
        }
    }

    private static string Tail(string console) => console.Length > 6000 ? console[^6000..] : console;

    private async Task ReadConsoleAsync()
    {
        // Read raw chunks, not lines: a shell prompt has no newline after it.
        var buffer = new byte[4096];
        var stream = _process.StandardOutput.BaseStream;
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            lock (_console)
            {
                _console.Append(Encoding.Latin1.GetString(buffer, 0, read));
            }
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

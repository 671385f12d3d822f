using EzioPxe.Contracts.Progress;


namespace EzioPxe.Client.Progress;

/// <summary>
/// Shows progress on the machine's console. On a terminal, one line redrawn in place with \r and
/// "erase to end of line" (ESC [ K, which the Linux console and every serial terminal know; no
/// curses in an initramfs). When output is not a terminal (a log file, a pipe, journald), a new
/// line every <c>lineInterval</c> and on every change of state, so logs stay readable.
/// </summary>
public sealed class ConsoleProgress
{
    private const string EraseToEndOfLine = "\u001b[K";

    private readonly TextWriter _output;
    private readonly bool _isTerminal;
    private readonly int _width;
    private readonly TimeSpan _redrawInterval;
    private readonly TimeSpan _lineInterval;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly object _gate = new();
    private long _lastWrite = long.MinValue;
    private string? _lastState;
    private bool _lineOpen;

    /// <param name="output">Usually Console.Out.</param>
    /// <param name="isTerminal">Usually !Console.IsOutputRedirected.</param>
    /// <param name="width">Terminal columns; the Linux console is 80 unless set otherwise.</param>
    /// <param name="redrawInterval">At most this often on a terminal (a 115200-baud serial console is slow).</param>
    /// <param name="lineInterval">How often a new line is printed when not on a terminal.</param>
    public ConsoleProgress(TextWriter output, bool isTerminal, int width = 80, TimeSpan? redrawInterval = null, TimeSpan? lineInterval = null, TimeProvider? time = null)
    {
        _output = output;
        _isTerminal = isTerminal;
        _width = width;
        _redrawInterval = redrawInterval ?? TimeSpan.FromMilliseconds(500);
        _lineInterval = lineInterval ?? TimeSpan.FromSeconds(10);
        _time = time ?? TimeProvider.System;
        _started = _time.GetTimestamp();
    }

    public static ConsoleProgress ForConsole() =>
        new(Console.Out, !Console.IsOutputRedirected, Console.IsOutputRedirected ? 80 : SafeWidth());

    /// <summary>Time since this renderer was created: the job's elapsed time in the summary.</summary>
    public TimeSpan Elapsed => _time.GetElapsedTime(_started);

    /// <summary>Shows <paramref name="report"/> if enough time passed since the last one or the state changed.</summary>
    public void Update(ProgressReport report)
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var stateChanged = report.State != _lastState;
            var due = _lastWrite == long.MinValue || _time.GetElapsedTime(_lastWrite, now) >= (_isTerminal ? _redrawInterval : _lineInterval);
            if (!stateChanged && !due)
            {
                return;
            }
            var line = ProgressLine.Format(report, _width);
            if (_isTerminal)
            {
                _output.Write("\r" + line + EraseToEndOfLine);
                _lineOpen = true;
            }
            else
            {
                _output.WriteLine(line);
            }
            _output.Flush();
            _lastWrite = now;
            _lastState = report.State;
        }
    }

    /// <summary>
    /// Ends the progress line and prints the summary, e.g.
    /// <c>done: 2.92 GB in 1:03 (46.3 MB/s), uploaded 1.20 GB</c> or <c>failed after 0:42 at 42.3%: reason</c>.
    /// </summary>
    public void Finish(ProgressReport report, long bytesUploaded = 0)
    {
        lock (_gate)
        {
            if (_lineOpen)
            {
                _output.Write("\r" + EraseToEndOfLine);
                _lineOpen = false;
            }
            _output.WriteLine(Summary(report, Elapsed, bytesUploaded));
            _output.Flush();
        }
    }

    public static string Summary(ProgressReport report, TimeSpan elapsed, long bytesUploaded = 0)
    {
        var took = ProgressLine.Duration(elapsed);
        if (report.State == ProgressStates.Failed)
        {
            var at = report.BytesTotal > 0 ? " at " + ProgressLine.Percent(report.BytesDone, report.BytesTotal) : "";
            return $"failed after {took}{at}: {report.Error ?? "unknown error"}";
        }
        var average = elapsed.TotalSeconds >= 1 ? (long)(report.BytesDone / elapsed.TotalSeconds) : report.BytesDone;
        var summary = $"{report.State}: {Disk.ByteSize.Format(report.BytesDone)} in {took} ({ProgressLine.Rate(average)})";
        return bytesUploaded > 0 ? summary + $", uploaded {Disk.ByteSize.Format(bytesUploaded)} to peers" : summary;
    }

    private static int SafeWidth()
    {
        try
        {
            return Console.WindowWidth > 0 ? Console.WindowWidth : 80;
        }
        catch (IOException)
        {
            return 80;
        }
    }
}

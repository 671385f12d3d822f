using EzioPxe.Client.Job;
using EzioPxe.Contracts.Jobs;
using Microsoft.Extensions.Logging;

namespace EzioPxe.Client.Logging;

/// <summary>
/// The engine's log lines on stderr, at the level chosen with ezio.log. Each line starts on a fresh
/// line so it does not run into the progress line that stdout keeps redrawing.
/// </summary>
public sealed class ConsoleLogger(ClientLogLevel minimum, TextWriter output) : ILogger
{
    // Milliseconds when debugging: the start of a download (connects, first blocks) is a matter of
    // tenths of a second, and a line per second cannot order it.
    private readonly string _timeFormat = minimum <= ClientLogLevel.Debug ? "HH:mm:ss.fff" : "HH:mm:ss";

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None && Map(logLevel) >= minimum;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }
        var text = formatter(state, exception);
        if (exception != null && minimum <= ClientLogLevel.Debug)
        {
            text += Environment.NewLine + exception;
        }
        lock (output)
        {
            output.WriteLine($"\r{DateTime.Now.ToString(_timeFormat)} {Map(logLevel).ToString().ToLowerInvariant()}: {text}");
        }
    }

    private static ClientLogLevel Map(LogLevel level) => level switch
    {
        LogLevel.Trace => ClientLogLevel.Trace,
        LogLevel.Debug => ClientLogLevel.Debug,
        LogLevel.Information => ClientLogLevel.Info,
        LogLevel.Warning => ClientLogLevel.Warn,
        _ => ClientLogLevel.Error,
    };
}

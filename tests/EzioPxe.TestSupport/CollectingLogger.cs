using Microsoft.Extensions.Logging;

namespace EzioPxe.TestSupport;

/// <summary>Keeps every log line, so a failing test can show what the component said.</summary>
public sealed class CollectingLogger : ILogger
{
    private readonly List<string> _lines = new();

    public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var line = $"{DateTime.Now:HH:mm:ss.fff} {logLevel}: {formatter(state, exception)}{(exception == null ? "" : " " + exception)}";
        lock (_lines)
        {
            _lines.Add(line);
        }
    }

    public string Text
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    public override string ToString() => Text;
}

using System.Diagnostics.CodeAnalysis;

namespace EzioPxe.Contracts.Jobs;

public static class ClientLogLevels
{
    /// <summary>Accepts the short names and the Microsoft.Extensions.Logging ones (information, warning), any case.</summary>
    public static bool TryParse(string text, out ClientLogLevel level, [NotNullWhen(false)] out string? error)
    {
        error = null;
        switch (text.ToLowerInvariant())
        {
            case "trace":
                level = ClientLogLevel.Trace;
                return true;
            case "debug":
                level = ClientLogLevel.Debug;
                return true;
            case "info" or "information":
                level = ClientLogLevel.Info;
                return true;
            case "warn" or "warning":
                level = ClientLogLevel.Warn;
                return true;
            case "error":
                level = ClientLogLevel.Error;
                return true;
        }
        level = ClientLogLevel.Info;
        error = $"'{text}' is not a log level (trace, debug, info, warn, error)";
        return false;
    }
}

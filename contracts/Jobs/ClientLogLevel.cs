namespace EzioPxe.Contracts.Jobs;

/// <summary><c>ezio.log</c>: how much the client prints. Spelled trace, debug, info, warn, error.</summary>
public enum ClientLogLevel
{
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

namespace EzioPxe.Server.Http;

/// <summary>
/// A listener of `serve` could not bind: the port is in use, the address is not ours, the
/// interface does not exist. The message is one line that names the port or interface; `serve`
/// prints it and exits 1 (no stack trace: under systemd it would only fill the journal).
/// </summary>
public sealed class BindFailedException(string message, Exception? inner = null) : Exception(message, inner);

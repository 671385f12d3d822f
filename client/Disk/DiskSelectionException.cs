namespace EzioPxe.Client.Disk;

/// <summary><c>ezio.disk</c> names nothing usable; the message says what was looked at.</summary>
public sealed class DiskSelectionException(string message) : Exception(message);

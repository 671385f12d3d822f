namespace EzioPxe.Engine.Tracker;

/// <summary>The tracker refused the announce ("failure reason") or answered with something unusable.</summary>
public sealed class TrackerException(string message, Exception? inner = null) : Exception(message, inner);

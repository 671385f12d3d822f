namespace EzioPxe.Engine.Wire;

/// <summary>A peer broke the wire protocol; the connection is dropped with this message in the log.</summary>
public sealed class PeerProtocolException(string message) : Exception(message);

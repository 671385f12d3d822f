namespace EzioPxe.Client.Deployment;

/// <summary>A deployment step failed; the message is what the console and the server are told.</summary>
public sealed class DeploymentFailedException(string message, Exception? inner = null) : Exception(message, inner);

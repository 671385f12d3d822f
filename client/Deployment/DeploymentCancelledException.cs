namespace EzioPxe.Client.Deployment;

/// <summary>The server answered a progress report with Stop: the administrator cancelled this machine's task.</summary>
public sealed class DeploymentCancelledException(string message) : Exception(message);

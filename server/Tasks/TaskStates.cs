namespace EzioPxe.Server.Tasks;

/// <summary>The states of a <see cref="DeployTask"/>: armed until its machine boots, running until it reports done or failed (cancelled: told to stop).</summary>
public static class TaskStates
{
    /// <summary>Waiting for the machine to network-boot.</summary>
    public const string Armed = "armed";

    /// <summary>The machine booted the deploy kernel; it has not reported done or failed yet.</summary>
    public const string Running = "running";

    /// <summary>Cancelled while running: kept only until its machine, told to stop, reports that it stopped.</summary>
    public const string Cancelled = "cancelled";
}

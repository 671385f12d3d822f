namespace EzioPxe.Server.Tasks;

/// <summary>
/// One machine's armed deployment: while it exists the machine boots the deploy kernel and gets
/// <see cref="Job"/>; once the machine reports done or failed it is removed (and written to the
/// history), so the next boot starts the local disk.
/// </summary>
public sealed record DeployTask
{
    /// <summary>"aa:bb:cc:dd:ee:ff".</summary>
    public required string Mac { get; init; }

    public required string Job { get; init; }

    /// <summary>One of <see cref="TaskStates"/>.</summary>
    public required string State { get; init; }

    public required DateTime ArmedAt { get; init; }

    /// <summary>Who armed it, in words: "eziopxe deploy (root@lab-server)", "status page (10.0.0.5)", "any-machine task".</summary>
    public required string ArmedBy { get; init; }

    /// <summary>When the machine booted the deploy kernel (null while armed).</summary>
    public DateTime? StartedAt { get; init; }
}

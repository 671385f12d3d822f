namespace EzioPxe.Server.Tasks;

/// <summary>One finished deployment in the history: which machine, which job, when, how long, and how it ended.</summary>
public sealed record DeploymentRecord
{
    public required string Mac { get; init; }

    /// <summary>The machine's Name from the configuration, if listed.</summary>
    public string? Name { get; init; }

    public required string Job { get; init; }

    /// <summary>Who armed it (null for a job with Arm: always).</summary>
    public string? ArmedBy { get; init; }

    /// <summary>When the machine booted the deploy kernel (or first reported, if the boot was not seen).</summary>
    public required DateTime StartedAt { get; init; }

    public required DateTime FinishedAt { get; init; }

    public double Seconds => Math.Round((FinishedAt - StartedAt).TotalSeconds, 1);

    /// <summary>"done" or "failed".</summary>
    public required string Result { get; init; }

    public string? Error { get; init; }
}

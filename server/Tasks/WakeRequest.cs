namespace EzioPxe.Server.Tasks;

/// <summary>POST /wake: the machines to wake: a job's listed machines, or explicit MACs ("all-listed" is the default).</summary>
public sealed record WakeRequest : IMachineRequest
{
    /// <summary>Null: every listed machine (of every job) when <see cref="Machines"/> is all-listed.</summary>
    public string? Job { get; init; }

    public List<string>? Machines { get; init; }
}

namespace EzioPxe.Server.Tasks;

/// <summary>
/// POST /tasks (and DELETE /tasks): which job, and for which machines. <see cref="Machines"/> is
/// a list of MACs, or the one word "all-listed" (every machine Machines lists with this job, the
/// default) or "any" (every machine that network-boots while it is armed, listed or not).
/// </summary>
public sealed record ArmRequest : IMachineRequest
{
    /// <summary>Null: DefaultJob.</summary>
    public string? Job { get; init; }

    public List<string>? Machines { get; init; }
}

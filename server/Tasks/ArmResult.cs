namespace EzioPxe.Server.Tasks;

/// <summary>The answer to POST /tasks or DELETE /tasks: what is armed (or was cancelled) now, in words and as MACs.</summary>
public sealed record ArmResult
{
    public required string Job { get; init; }

    public required List<string> Machines { get; init; }

    /// <summary>True when the any-machine task was armed (or cancelled).</summary>
    public bool AnyMachine { get; init; }

    public required string Message { get; init; }
}

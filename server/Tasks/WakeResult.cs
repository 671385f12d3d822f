namespace EzioPxe.Server.Tasks;

/// <summary>The answer to POST /wake: which MACs got magic packets, and through which interface.</summary>
public sealed record WakeResult
{
    public required List<string> Machines { get; init; }

    public required string Interface { get; init; }

    public required string Message { get; init; }
}

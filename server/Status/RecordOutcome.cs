using EzioPxe.Contracts.Progress;

namespace EzioPxe.Server.Status;

/// <summary>What <see cref="MachineRegistry.Record"/> made of a report: the reply, or why it was refused and with which HTTP status.</summary>
public sealed record RecordOutcome(ProgressReply? Reply, int StatusCode, string? Refusal, bool StateChanged)
{
    public static RecordOutcome Refused(int statusCode, string refusal) => new(null, statusCode, refusal, false);
}

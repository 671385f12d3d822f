using EzioPxe.Contracts.Progress;


namespace EzioPxe.Server.Status;

/// <summary>The last thing one machine reported, and when.</summary>
public sealed record MachineRecord(string Mac, ProgressReport Report, string? RemoteAddress, DateTime FirstSeen, DateTime LastSeen)
{
    /// <summary>Seeding or done: the machine has its whole image.</summary>
    public bool HasImage => Report.State is ProgressStates.Seeding or ProgressStates.Done;
}

using EzioPxe.Contracts.Progress;

namespace EzioPxe.Server.Status;

/// <summary>
/// The last thing one machine reported, and when. <see cref="Job"/> is the room the server put it
/// in (its configured job, or the job its report key was made for), and <see cref="RemoteAddress"/>
/// the TCP source of its reports: neither is taken from what the report says about itself.
/// <see cref="Expected"/>: listed in Machines or given a task when it reported; only such machines
/// decide a room that has any (<see cref="MachineRegistry.IsRoomDone"/>).
/// </summary>
public sealed record MachineRecord(string Mac, string Job, ProgressReport Report, string RemoteAddress, DateTime FirstSeen, DateTime LastSeen, bool Expected = true)
{
    /// <summary>Seeding or done: the machine has its whole image.</summary>
    public bool HasImage => Report.State is ProgressStates.Seeding or ProgressStates.Done;
}

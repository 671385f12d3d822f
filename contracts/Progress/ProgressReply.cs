namespace EzioPxe.Contracts.Progress;

/// <summary>The server's answer to a <see cref="ProgressReport"/>.</summary>
public sealed record ProgressReply
{
    /// <summary>Every machine of the room has its image: seeding with "until-done" may stop.</summary>
    public bool RoomDone { get; init; }

    /// <summary>The administrator cancelled this machine's job: stop now, do not run the after-action.</summary>
    public bool Stop { get; init; }
}

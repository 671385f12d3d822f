namespace EzioPxe.Contracts.Progress;

/// <summary>The server's answer to a <see cref="ProgressReport"/>.</summary>
public sealed record ProgressReply
{
    /// <summary>Every machine of the room has its image: seeding with "until-done" may stop.</summary>
    public bool RoomDone { get; init; }

    /// <summary>
    /// The administrator cancelled this machine's task: stop now. Before the image is complete the
    /// client reports "failed" and does not run the after-action (no reboot into a half-written
    /// disk); while seeding a complete image it just stops seeding.
    /// </summary>
    public bool Stop { get; init; }
}

namespace EzioPxe.Contracts.Jobs;

/// <summary>
/// A job as the server hands it out (GET /jobs/{name-or-mac}). Every field except
/// <see cref="TorrentUrl"/> may be absent; the kernel command line then decides. Values use the
/// same spelling as the <c>ezio.*</c> kernel parameters (e.g. <c>Disk = "auto"</c>, <c>Seed = "until-done"</c>).
/// </summary>
public sealed record JobDescription
{
    public string? Name { get; init; }

    public string? TorrentUrl { get; init; }

    public string? Disk { get; init; }

    /// <summary>A partition number on <see cref="Disk"/> for a partition image (<c>ezio.part</c>), e.g. "2".</summary>
    public string? Partition { get; init; }

    /// <summary>reboot, poweroff, shell or wait.</summary>
    public string? After { get; init; }

    /// <summary>until-done, none or a number of seconds.</summary>
    public string? Seed { get; init; }

    public string? LogLevel { get; init; }

    /// <summary>deploy (default) or capture.</summary>
    public string? Mode { get; init; }

    /// <summary>Capture: the name the new image gets on the server.</summary>
    public string? Image { get; init; }

    /// <summary>Capture: "yes" replaces an existing image of that name.</summary>
    public string? Overwrite { get; init; }
    /// <summary>
    /// The machine's report key (<c>ezio.key</c>): only present when the job was asked for by MAC.
    /// Every progress report must carry it (<see cref="Progress.ProgressReport.Key"/>); the server
    /// derives it from the MAC and the job, so it cannot be guessed for another machine or room.
    /// </summary>
    public string? Key { get; init; }

    /// <summary>The image's info-hash (40 hex digits, <c>ezio.infohash</c>): a torrent with another one is refused.</summary>
    public string? InfoHash { get; init; }
}

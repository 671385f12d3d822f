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
}

using EzioPxe.Contracts.Progress;

namespace EzioPxe.Server.Status;

/// <summary>One machine, from its last progress report.</summary>
public sealed record MachineStatus
{
    public required string Mac { get; init; }

    public string? Name { get; init; }

    public string? Hostname { get; init; }

    public string? Address { get; init; }

    public string? Job { get; init; }

    /// <summary>
    /// One of <see cref="MachineStates"/>: what the machine did last — asked to boot (booting,
    /// waiting), reported (checking, downloading, seeding, done, failed), went silent (lost) — or,
    /// for a listed machine not seen yet, armed or idle.
    /// </summary>
    public required string State { get; init; }

    public required long BytesDone { get; init; }

    public required long BytesTotal { get; init; }

    public required double Percent { get; init; }

    public required long DownloadRate { get; init; }

    public required long UploadRate { get; init; }

    public required int Peers { get; init; }

    public long? EtaSeconds { get; init; }

    public string? Error { get; init; }

    /// <summary>The machine's note on an image that worked (e.g. a larger disk's unpartitioned space).</summary>
    public string? Note { get; init; }

    /// <summary>Seconds since the last report or boot request; null for a machine never seen.</summary>
    public double? SecondsSinceReport { get; init; }

    /// <summary>Listed in the configuration's Machines.</summary>
    public bool Listed { get; init; }

    /// <summary>Its deployment task: "armed" or "running"; null when it has none (it boots its disk).</summary>
    public string? Task { get; init; }

    /// <summary>How the machine last network-booted as our DHCP server saw it ("UEFI Secure Boot/shim+GRUB (shimx64.efi)"); null if not seen.</summary>
    public string? BootPath { get; init; }
}

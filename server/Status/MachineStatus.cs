using EzioPxe.Contracts.Progress;

namespace EzioPxe.Server.Status;

/// <summary>
/// One machine as the status shows it: what the server concluded (state, room, the address its
/// reports came from, task, boot path) beside <see cref="Report"/>, what the machine last said.
/// </summary>
public sealed record MachineStatus
{
    public required string Mac { get; init; }

    /// <summary>Its name in the configuration's Machines.</summary>
    public string? Name { get; init; }

    /// <summary>The TCP source of its reports, not the address a report claims.</summary>
    public string? Address { get; init; }

    /// <summary>Its room: the task's job, else the job its reports were accepted for, else its configured job.</summary>
    public string? Job { get; init; }

    /// <summary>
    /// One of <see cref="MachineStates"/>: what the machine did last — asked to boot (booting,
    /// waiting), reported (checking, downloading, seeding, done, failed), went silent (lost) — or,
    /// for a listed machine not seen yet, armed or idle.
    /// </summary>
    public required string State { get; init; }

    /// <summary>Of the last report's bytes; 0 without a report.</summary>
    public required double Percent { get; init; }

    /// <summary>
    /// The machine's last progress report as shown: as <see cref="MachineRegistry"/> kept it (its
    /// state, hostname, bytes, rates, error and note, texts capped; no key, MAC, job or claimed
    /// address), with rates, peers and ETA only while the machine is active and the error only
    /// while it is failed (MachineRows). Null for a machine that never reported.
    /// </summary>
    public ProgressReport? Report { get; init; }

    /// <summary>Seconds since the last report or boot request; null for a machine never seen.</summary>
    public double? SecondsSinceReport { get; init; }

    /// <summary>Listed in the configuration's Machines.</summary>
    public bool Listed { get; init; }

    /// <summary>Its deployment task: "armed" or "running"; null when it has none (it boots its disk).</summary>
    public string? Task { get; init; }

    /// <summary>How the machine last network-booted as our DHCP server saw it ("UEFI Secure Boot/shim+GRUB (shimx64.efi)"); null if not seen.</summary>
    public string? BootPath { get; init; }
}

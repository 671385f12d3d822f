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

    /// <summary>One of <see cref="MachineStates"/>: the reported state, or "lost" when the machine has been silent too long.</summary>
    public required string State { get; init; }

    public required long BytesDone { get; init; }

    public required long BytesTotal { get; init; }

    public required double Percent { get; init; }

    public required long DownloadRate { get; init; }

    public required long UploadRate { get; init; }

    public required int Peers { get; init; }

    public long? EtaSeconds { get; init; }

    public string? Error { get; init; }

    public required double SecondsSinceReport { get; init; }

    /// <summary>How the machine last network-booted as our DHCP server saw it ("UEFI Secure Boot/shim+GRUB (shimx64.efi)"); null if not seen.</summary>
    public string? BootPath { get; init; }
}

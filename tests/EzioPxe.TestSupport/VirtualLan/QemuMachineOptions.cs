using System.Net.NetworkInformation;

namespace EzioPxe.TestSupport.VirtualLan;

/// <summary>How to build one virtual machine. QEMU always runs with -accel tcg (no KVM in CI).</summary>
public sealed record QemuMachineOptions
{
    public QemuFirmware Firmware { get; init; } = QemuFirmware.Bios;

    /// <summary>QEMU NIC model: "e1000" (BIOS PXE via QEMU's iPXE ROM) or "virtio-net-pci"; null: no NIC (isolated machines only).</summary>
    public string? Nic { get; init; } = "e1000";

    /// <summary>
    /// Option ROM for the NIC: null keeps QEMU's own (iPXE from ipxe-qemu), "" disables it so
    /// UEFI firmware boots with its own network stack, or a path to another ROM.
    /// </summary>
    public string? NicRomFile { get; init; }

    /// <summary>Fixed MAC for the machine; null picks a random locally administered one.</summary>
    public PhysicalAddress? Mac { get; init; }

    public int MemoryMiB { get; init; } = 256;

    /// <summary>Disk images to attach (raw, virtio); empty for a diskless network boot.</summary>
    public IReadOnlyList<string> Disks { get; init; } = [];

    /// <summary>A kernel to boot directly (no firmware boot); with <see cref="Initrd"/> and <see cref="KernelArguments"/>.</summary>
    public string? Kernel { get; init; }

    public string? Initrd { get; init; }

    /// <summary>Appended to "console=ttyS0 panic=-1".</summary>
    public string KernelArguments { get; init; } = "";

    /// <summary>BIOS machines: boot the first disk instead of the network.</summary>
    public bool BootFromDisk { get; init; }

    /// <summary>
    /// The firmware's boot order as a lab PC set to "network first" has it: the NIC first
    /// (bootindex 0), then the disks in order. Without it the firmware's own order applies.
    /// </summary>
    public bool NetworkThenDisk { get; init; }

    /// <summary>Anything else for the QEMU command line.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];
}

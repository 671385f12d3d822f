using EzioPxe.Contracts.Jobs;

namespace EzioPxe.Server.Configuration;

/// <summary>One entry of "Jobs": what a machine does. Values are spelled as the client's ezio.* kernel parameters.</summary>
public sealed class JobOptions
{
    /// <summary>The name of an entry of "Images"; for a capture job, the name the captured image gets.</summary>
    public string? Image { get; set; }

    /// <summary>deploy (default) or capture (docs/capture.md).</summary>
    public string? Mode { get; set; }

    /// <summary>Capture jobs: "yes" lets the capture replace an existing image of that name.</summary>
    public string? Overwrite { get; set; }

    /// <summary>"auto", a device path (/dev/sda, /dev/nvme0n1) or a /dev/disk/by-id name.</summary>
    public string Disk { get; set; } = JobDefaults.Disk;

    /// <summary>A partition number on <see cref="Disk"/> for a partition image ("2" for /dev/sda2); null for a whole-disk image.</summary>
    public string? Partition { get; set; }

    /// <summary>reboot, poweroff, shell or wait.</summary>
    public string After { get; set; } = AfterActions.Name(JobDefaults.After);

    /// <summary>until-done, none or a number of seconds.</summary>
    public string Seed { get; set; } = JobDefaults.Seed.ToString();

    /// <summary>
    /// How many machines the room has. 0: the room is done once every machine that reported
    /// this job has its image; N: once N machines have it.
    /// </summary>
    public int ExpectedMachines { get; set; }

    /// <summary>
    /// When a machine gets this job: "on-demand" (default: only while a task is armed for it, once;
    /// otherwise it boots its own disk) or "always" (every network boot of a machine listed with it).
    /// </summary>
    public string Arm { get; set; } = ArmModes.OnDemand;

    /// <summary>The client's log level (trace, debug, info, warn, error); null leaves the client's default.</summary>
    public string? LogLevel { get; set; }
}

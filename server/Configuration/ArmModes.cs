namespace EzioPxe.Server.Configuration;

/// <summary>The values of a job's "Arm" key: when its machines get the job.</summary>
public static class ArmModes
{
    /// <summary>Only while a task is armed for the machine (`eziopxe deploy`, the status page), once. The default.</summary>
    public const string OnDemand = "on-demand";

    /// <summary>On every network boot of a listed machine: a room re-imaged at each start (kiosks, exams).</summary>
    public const string Always = "always";

    public static IReadOnlyList<string> All { get; } = [OnDemand, Always];

    public static bool IsAlways(JobOptions job) => string.Equals(job.Arm, Always, StringComparison.OrdinalIgnoreCase);
}

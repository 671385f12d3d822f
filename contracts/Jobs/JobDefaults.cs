namespace EzioPxe.Contracts.Jobs;

/// <summary>What a job does where neither the server's job nor the kernel command line says otherwise.</summary>
public static class JobDefaults
{
    public const string Disk = JobValues.AutoDisk;

    public const AfterAction After = AfterAction.Reboot;

    /// <summary>Seed until the room is done: late machines still have many sources.</summary>
    public static SeedPolicy Seed => SeedPolicy.UntilDone;

    public const ClientLogLevel LogLevel = ClientLogLevel.Info;

    /// <summary>
    /// How long the client keeps retrying an unreachable server for the job and the torrent
    /// (<c>ezio.serverwait</c>): long enough for the server to restart while a room boots.
    /// </summary>
    public static TimeSpan ServerWait => TimeSpan.FromMinutes(5);
}

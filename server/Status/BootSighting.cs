namespace EzioPxe.Server.Status;

/// <summary>
/// The last time a machine asked for DHCP or a boot file, and what it was answered: "booting"
/// (the deploy kernel: it has a task) or "waiting" (its own disk: no task, or not a listed machine).
/// </summary>
public sealed record BootSighting(string Mac, string Phase, DateTime FirstSeen, DateTime LastSeen);

namespace EzioPxe.Server.NetBoot;

/// <summary>
/// Decides what a machine boots. The DHCP server asks it for the boot file, the menu generator for
/// the kernel command line. Called on network threads: must be fast and thread-safe.
/// </summary>
public interface IBootPlanProvider
{
    /// <summary>The plan for this client, or null to leave it alone (no DHCP boot answer, no menu).</summary>
    BootPlan? GetPlan(BootClient client);
}

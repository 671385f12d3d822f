using EzioPxe.Contracts.Machines;
using EzioPxe.Server.NetBoot;

namespace EzioPxe.Server.Tasks;

/// <summary>
/// The boot plans of `serve`: the configured loaders and command line (<paramref name="inner"/>),
/// with the deploy kernel only for machines that have something to deploy
/// (<see cref="MachineLifecycle.OnBoot"/>); every other machine is still answered, with menus
/// that boot its own disk. The default menus (no MAC known) boot the disk too.
/// </summary>
public sealed class LifecycleBootPlans(IBootPlanProvider inner, MachineLifecycle lifecycle) : IBootPlanProvider
{
    public BootPlan? GetPlan(BootClient client)
    {
        var plan = inner.GetPlan(client);
        if (plan == null)
        {
            return null;
        }
        var deploy = client.Mac is { } mac && lifecycle.OnBoot(MacAddress.FromBytes(mac.GetAddressBytes()));
        // Asked again once the machine's task has started (an any-machine task is claimed by
        // OnBoot): its kernel command line carries the task's job key (MachineBootParameters).
        return deploy ? inner.GetPlan(client) ?? plan : plan with { BootsLocalDisk = true };
    }
}

using EzioPxe.Contracts.Machines;
using EzioPxe.Server.Configuration;

namespace EzioPxe.Server.Tasks;

/// <summary>
/// Turns the "machines" of a request into MACs: absent or "all-listed" is every machine that
/// Machines lists with the job (every listed machine when no job is given), "any" is the
/// any-machine task, anything else must be MACs.
/// </summary>
public static class MachineSelection
{
    public const string AllListed = "all-listed";
    public const string Any = "any";

    /// <summary>(MACs, any, error). Exactly one of MACs/any/error is meaningful.</summary>
    public static (List<MacAddress> Machines, bool Any, string? Error) Resolve(IReadOnlyList<string>? machines, string? job, ServerSettings settings)
    {
        if (machines == null || machines.Count == 0 || (machines.Count == 1 && string.Equals(machines[0], AllListed, StringComparison.OrdinalIgnoreCase)))
        {
            var listed = settings.Machines.Where(m => job == null || string.Equals(m.Value.Job, job, StringComparison.OrdinalIgnoreCase)).Select(m => m.Key).ToList();
            return listed.Count > 0
                ? (listed, false, null)
                : ([], false, $"no machine is listed with job '{job}' in Machines; name the machines (MAC,MAC) or use 'any'");
        }
        if (machines.Count == 1 && string.Equals(machines[0], Any, StringComparison.OrdinalIgnoreCase))
        {
            return ([], true, null);
        }
        if (machines.Count > TaskStore.MaxTasks)
        {
            return ([], false, $"at most {TaskStore.MaxTasks} machines at once");
        }
        var macs = new List<MacAddress>();
        foreach (var text in machines)
        {
            if (!MacAddress.TryParse(text, out var mac))
            {
                return ([], false, $"machines: '{text}' is not a MAC address (aa:bb:cc:dd:ee:ff), '{AllListed}' or '{Any}'");
            }
            macs.Add(mac);
        }
        return (macs, false, null);
    }
}

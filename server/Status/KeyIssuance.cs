using System.Net;
using EzioPxe.Contracts.Machines;

namespace EzioPxe.Server.Status;

/// <summary>
/// Report keys handed to machines the server does not expect (not listed, no task: booted with
/// <c>ezio.job=</c> by other means), by source address. Any host can name any MAC in
/// <c>GET /jobs/{job}?mac=</c>, so each address gets keys for at most
/// <c>Server:MachinesPerAddress</c> such MACs within <see cref="MachineRegistry.ForgetAfter"/>
/// (asking again for one it has is free): inventing machines stops there. Bounded in addresses too.
/// </summary>
public sealed class KeyIssuance(int perAddress, TimeProvider? time = null)
{
    public const int MaxAddresses = 10_000;

    private readonly Dictionary<string, Dictionary<string, DateTime>> _byAddress = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>Whether <paramref name="source"/> may have the key of <paramref name="mac"/>; records it when so.</summary>
    public bool TryIssue(IPAddress source, MacAddress mac)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var address = (source.IsIPv4MappedToIPv6 ? source.MapToIPv4() : source).ToString();
        var key = mac.ToString();
        lock (_lock)
        {
            if (!_byAddress.TryGetValue(address, out var macs))
            {
                if (_byAddress.Count >= MaxAddresses)
                {
                    // The address whose newest key is oldest goes: a flood of addresses forgets itself first.
                    var stalest = _byAddress.MinBy(a => a.Value.Values.Max()).Key;
                    _byAddress.Remove(stalest);
                }
                _byAddress[address] = macs = new Dictionary<string, DateTime>(StringComparer.Ordinal);
            }
            foreach (var old in macs.Where(m => now - m.Value > MachineRegistry.ForgetAfter).Select(m => m.Key).ToList())
            {
                macs.Remove(old);
            }
            if (!macs.ContainsKey(key) && macs.Count >= perAddress)
            {
                return false;
            }
            macs[key] = now;
            return true;
        }
    }
}

using System.Collections.Concurrent;
using EzioPxe.Contracts.Machines;

namespace EzioPxe.Server.Status;

/// <summary>
/// Machines seen at network boot, before their client runs (the first minute of a deployment),
/// and machines that were sent to their disk. Fed by DHCP and boot-menu requests, which any host
/// on the LAN can send with any MAC: bounded to <see cref="MaxMachines"/>, the oldest dropped first.
/// </summary>
public sealed class BootSightings(TimeProvider? time = null)
{
    public const int MaxMachines = 10_000;

    private readonly ConcurrentDictionary<string, BootSighting> _seen = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly object _trimLock = new();

    public void Record(MacAddress mac, string phase)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var key = mac.ToString();
        _seen.AddOrUpdate(key,
            _ => new BootSighting(key, phase, now, now),
            (_, old) => old.Phase == phase ? old with { LastSeen = now } : new BootSighting(key, phase, now, now));
        if (_seen.Count > MaxMachines)
        {
            lock (_trimLock)
            {
                // Down to nine tenths at once: a flood of made-up MACs costs one sort per thousand packets, not one each.
                var excess = _seen.Count - MaxMachines * 9 / 10;
                if (excess > 0 && _seen.Count > MaxMachines)
                {
                    foreach (var oldest in _seen.Values.OrderBy(s => s.LastSeen).Take(excess).ToList())
                    {
                        _seen.TryRemove(oldest.Mac, out _);
                    }
                }
            }
        }
    }

    public BootSighting? Find(MacAddress mac) => _seen.GetValueOrDefault(mac.ToString());

    public IReadOnlyCollection<BootSighting> All => _seen.Values.ToList();
}

using System.Net.NetworkInformation;

namespace EzioPxe.Server.NetBoot;

/// <summary>
/// The boot path of each machine, recorded by the DHCP server when it hands out a boot file, read
/// by the status page. Bounded: any host on the LAN can invent MACs, so beyond
/// <see cref="MaxMachines"/> the machine seen first is forgotten.
/// </summary>
public sealed class BootPathLog(TimeProvider? time = null)
{
    public const int MaxMachines = 10_000;

    /// <summary>An iPXE DHCP round within this time of the first stage continues that chain.</summary>
    public static readonly TimeSpan ChainWindow = TimeSpan.FromMinutes(5);

    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Dictionary<string, BootPathRecord> _records = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();
    private readonly Lock _lock = new();

    public void Record(BootClient client, string bootFile)
    {
        if (client.Mac == null)
        {
            return;
        }
        var key = MacAddressText.Hyphenated(client.Mac);
        var now = _time.GetUtcNow().UtcDateTime;
        lock (_lock)
        {
            var known = _records.TryGetValue(key, out var previous);
            var path = BootPathExtensions.Classify(client, bootFile, known && now - previous!.At < ChainWindow);
            if (path == null)
            {
                return;
            }
            if (!known)
            {
                _order.Enqueue(key);
                while (_order.Count > MaxMachines)
                {
                    _records.Remove(_order.Dequeue());
                }
            }
            _records[key] = new BootPathRecord(path.Value, bootFile, now);
        }
    }

    /// <summary>The machine's last boot path, or null if the DHCP server never gave it a boot file.</summary>
    public BootPathRecord? Find(PhysicalAddress mac)
    {
        lock (_lock)
        {
            return _records.GetValueOrDefault(MacAddressText.Hyphenated(mac));
        }
    }

    /// <summary>By MAC text as the status registry keys machines ("aa:bb:..."; "aa-bb-..." works too); null if unknown.</summary>
    public BootPathRecord? Find(string mac) => MacAddressText.TryParse(mac) is { } parsed ? Find(parsed) : null;
}

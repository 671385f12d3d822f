using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Text;

namespace EzioPxe.Server.NetBoot.Dhcp;

/// <summary>
/// The address pool of full mode. A machine keeps the address it had (even after its lease ran
/// out, as long as nobody else needed it), so a re-imaged room gets the same addresses again.
/// Committed leases are written to the lease file (temp file + rename, so a crash never leaves a
/// half-written file) and read back at start. Thread-safe.
/// </summary>
public sealed class DhcpLeaseStore
{
    /// <summary>How long an offered address stays reserved while the client decides (RFC 2131 4.3.1 leaves it to us).</summary>
    public static readonly TimeSpan OfferHold = TimeSpan.FromSeconds(60);

    private readonly object _lock = new();
    private readonly uint _first;
    private readonly uint _last;
    private readonly string? _file;
    private readonly Dictionary<PhysicalAddress, DhcpLease> _byMac = [];
    private readonly Dictionary<uint, PhysicalAddress> _byAddress = [];
    private readonly Dictionary<uint, DateTimeOffset> _declined = [];

    public DhcpLeaseStore(IPAddress first, IPAddress last, string? leaseFile)
    {
        _first = Ipv4.ToUInt32(first);
        _last = Ipv4.ToUInt32(last);
        _file = leaseFile;
        if (_file != null && File.Exists(_file))
        {
            Load(_file);
        }
    }

    public IReadOnlyList<DhcpLease> Snapshot()
    {
        lock (_lock)
        {
            return _byMac.Values.OrderBy(l => Ipv4.ToUInt32(l.Address)).ToList();
        }
    }

    /// <summary>The address this store bound to <paramref name="mac"/> with a REQUEST (null: none, or only offered).</summary>
    public IPAddress? CommittedAddress(PhysicalAddress mac)
    {
        lock (_lock)
        {
            return _byMac.TryGetValue(mac, out var lease) && lease.Committed ? lease.Address : null;
        }
    }

    public bool InRange(IPAddress address)
    {
        var value = Ipv4.ToUInt32(address);
        return value >= _first && value <= _last;
    }

    /// <summary>Reserves an address for a DISCOVER: the machine's own, else the one it asks for, else a free one. Null when the pool is full.</summary>
    public IPAddress? Offer(PhysicalAddress mac, IPAddress? requested, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_byMac.TryGetValue(mac, out var existing))
            {
                if (!existing.Committed)
                {
                    _byMac[mac] = existing with { Expires = now + OfferHold };
                }
                return existing.Address;
            }
            uint? chosen = null;
            if (requested != null && InRange(requested) && IsFree(Ipv4.ToUInt32(requested), now))
            {
                chosen = Ipv4.ToUInt32(requested);
            }
            chosen ??= FindFree(now);
            if (chosen == null)
            {
                return null;
            }
            Assign(mac, chosen.Value, now + OfferHold, committed: false);
            return Ipv4.FromUInt32(chosen.Value);
        }
    }

    /// <summary>Binds the address for a REQUEST; false (answer NAK) when it belongs to someone else or is outside the pool.</summary>
    public bool Commit(PhysicalAddress mac, IPAddress address, TimeSpan leaseTime, DateTimeOffset now)
    {
        lock (_lock)
        {
            var value = Ipv4.ToUInt32(address);
            if (!InRange(address))
            {
                return false;
            }
            if (_byAddress.TryGetValue(value, out var owner) && !owner.Equals(mac) && !IsFree(value, now))
            {
                return false;
            }
            if (_declined.TryGetValue(value, out var until) && until > now)
            {
                return false;
            }
            Assign(mac, value, now + leaseTime, committed: true);
            Save();
            return true;
        }
    }

    /// <summary>The client chose another server's offer: drop our reservation unless it is a real lease.</summary>
    public void Forget(PhysicalAddress mac)
    {
        lock (_lock)
        {
            if (_byMac.TryGetValue(mac, out var lease) && !lease.Committed)
            {
                Remove(mac);
            }
        }
    }

    /// <summary>DHCPRELEASE: the lease ends now, but the machine still gets the same address next time if it is free.</summary>
    public void Release(PhysicalAddress mac, IPAddress address, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_byMac.TryGetValue(mac, out var lease) && lease.Address.Equals(address))
            {
                _byMac[mac] = lease with { Expires = now };
                Save();
            }
        }
    }

    /// <summary>DHCPDECLINE: someone else uses the address (RFC 2131 4.3.3); keep it out of the pool for a while.</summary>
    public void Decline(PhysicalAddress mac, IPAddress address, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_byMac.TryGetValue(mac, out var lease) && lease.Address.Equals(address))
            {
                Remove(mac);
                Save();
            }
            if (InRange(address))
            {
                _declined[Ipv4.ToUInt32(address)] = now + TimeSpan.FromMinutes(10);
            }
        }
    }

    private bool IsFree(uint address, DateTimeOffset now)
    {
        if (_declined.TryGetValue(address, out var until) && until > now)
        {
            return false;
        }
        return !_byAddress.TryGetValue(address, out var owner) || _byMac[owner].Expires <= now;
    }

    private uint? FindFree(DateTimeOffset now)
    {
        // Never-used addresses first, so expired leases stay with their machines as long as possible.
        for (var address = _first; address <= _last && address >= _first; address++)
        {
            if (!_byAddress.ContainsKey(address) && IsFree(address, now))
            {
                return address;
            }
        }
        var oldest = _byMac.Values.Where(l => l.Expires <= now && InRange(l.Address) && IsFree(Ipv4.ToUInt32(l.Address), now))
            .OrderBy(l => l.Expires).FirstOrDefault();
        return oldest == null ? null : Ipv4.ToUInt32(oldest.Address);
    }

    private void Assign(PhysicalAddress mac, uint address, DateTimeOffset expires, bool committed)
    {
        if (_byAddress.TryGetValue(address, out var previousOwner) && !previousOwner.Equals(mac))
        {
            _byMac.Remove(previousOwner);
        }
        if (_byMac.TryGetValue(mac, out var previous))
        {
            _byAddress.Remove(Ipv4.ToUInt32(previous.Address));
        }
        _byMac[mac] = new DhcpLease(mac, Ipv4.FromUInt32(address), expires, committed);
        _byAddress[address] = mac;
    }

    private void Remove(PhysicalAddress mac)
    {
        if (_byMac.Remove(mac, out var lease))
        {
            _byAddress.Remove(Ipv4.ToUInt32(lease.Address));
        }
    }

    private void Save()
    {
        if (_file == null)
        {
            return;
        }
        var text = new StringBuilder("# EzioPxe DHCP leases: mac address expires-unix-seconds\n");
        foreach (var lease in _byMac.Values.Where(l => l.Committed).OrderBy(l => Ipv4.ToUInt32(l.Address)))
        {
            text.Append(CultureInfo.InvariantCulture, $"{MacAddressText.Hyphenated(lease.Mac)} {lease.Address} {lease.Expires.ToUnixTimeSeconds()}\n");
        }
        var temporary = _file + ".tmp";
        File.WriteAllText(temporary, text.ToString());
        File.Move(temporary, _file, overwrite: true);
    }

    private void Load(string file)
    {
        var lineNumber = 0;
        foreach (var line in File.ReadLines(file))
        {
            lineNumber++;
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var mac = fields.Length == 3 ? MacAddressText.TryParse(fields[0]) : null;
            if (mac == null || !IPAddress.TryParse(fields[1], out var address) ||
                !long.TryParse(fields[2], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var expires))
            {
                throw new FormatException($"{file}:{lineNumber}: expected 'mac address expires-unix-seconds', got '{line}'");
            }
            // A lease outside today's range (the range was changed) is dropped, not enforced.
            if (InRange(address))
            {
                Assign(mac, Ipv4.ToUInt32(address), DateTimeOffset.FromUnixTimeSeconds(expires), committed: true);
            }
        }
    }
}

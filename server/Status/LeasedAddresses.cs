using System.Net;
using EzioPxe.Contracts.Machines;

namespace EzioPxe.Server.Status;

/// <summary>
/// The address this server's own DHCP (NetBoot:Dhcp full) leased to a MAC: the one thing a host
/// on the LAN cannot claim for a machine that is not its own, short of taking over the address.
/// With full DHCP every machine on the LAN has its address from us, so a machine gets its report
/// key, and has its reports counted, only from its leased address; a MAC without a lease (made up,
/// or not booted yet) gets none. Without full DHCP (proxyDHCP, another DHCP server) nothing is
/// known and nothing is bound here.
/// </summary>
public sealed class LeasedAddresses
{
    /// <summary>Set by the DHCP server once it runs in full mode; null otherwise.</summary>
    public Func<MacAddress, IPAddress?>? Source { get; set; }

    public IPAddress? Of(MacAddress mac) => Source?.Invoke(mac);

    /// <summary>
    /// Null when <paramref name="source"/> may speak for <paramref name="mac"/> (no full DHCP, or
    /// the lease is that address), else why not.
    /// </summary>
    public string? Refusal(MacAddress mac, IPAddress source)
    {
        if (Source is not { } lookup)
        {
            return null;
        }
        if (lookup(mac) is not { } leased)
        {
            return $"machine {mac} has no address from this server's DHCP (NetBoot:Dhcp full): it has not booted on this LAN";
        }
        var from = source.IsIPv4MappedToIPv6 ? source.MapToIPv4() : source;
        return leased.Equals(from) ? null : $"machine {mac} has the address {leased} from this server's DHCP, not {from}";
    }
}

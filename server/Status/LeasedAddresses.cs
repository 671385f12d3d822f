using System.Net;
using EzioPxe.Contracts.Machines;

namespace EzioPxe.Server.Status;

/// <summary>
/// The address this server's own DHCP (NetBoot:Dhcp full) leased to a MAC: the one thing a host
/// on the LAN cannot claim for a machine that is not its own, short of taking over the address.
/// A machine with such a lease gets its report key, and has its reports counted, only from that
/// address. Without full DHCP (proxyDHCP, another DHCP server) nothing is known and nothing is bound.
/// </summary>
public sealed class LeasedAddresses
{
    /// <summary>Set by the DHCP server once it runs in full mode; null otherwise.</summary>
    public Func<MacAddress, IPAddress?>? Source { get; set; }

    public IPAddress? Of(MacAddress mac) => Source?.Invoke(mac);

    /// <summary>
    /// Null when <paramref name="source"/> may speak for <paramref name="mac"/> (no lease, or the
    /// lease is that address), else why not.
    /// </summary>
    public string? Refusal(MacAddress mac, IPAddress source)
    {
        if (Of(mac) is not { } leased)
        {
            return null;
        }
        var from = source.IsIPv4MappedToIPv6 ? source.MapToIPv4() : source;
        return leased.Equals(from) ? null : $"machine {mac} has the address {leased} from this server's DHCP, not {from}";
    }
}

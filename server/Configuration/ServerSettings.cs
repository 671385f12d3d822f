using System.Net;
using EzioPxe.Contracts.Machines;
using Microsoft.Extensions.Configuration;

namespace EzioPxe.Server.Configuration;

/// <summary>The configuration after <see cref="ConfigurationLoader"/> checked it: every reference resolves, every value parses.</summary>
public sealed class ServerSettings
{
    public required EzioPxeOptions Options { get; init; }

    /// <summary>Everything that was read, for sections other components own ("Logging").</summary>
    public required IConfiguration Configuration { get; init; }

    public required IPAddress Address { get; init; }

    public required IReadOnlyList<ConfiguredImage> Images { get; init; }

    /// <summary>Job name -> job; names compare case-insensitively, as configuration keys do.</summary>
    public required IReadOnlyDictionary<string, JobOptions> Jobs { get; init; }

    public required IReadOnlyDictionary<MacAddress, MachineOptions> Machines { get; init; }

    /// <summary>The "NetBoot" section, checked; null when absent (no DHCP, no TFTP).</summary>
    public NetBoot.NetBootSettings? NetBoot { get; init; }

    public ServerOptions Server => Options.Server;

    public TrackerOptions Tracker => Options.Tracker;

    /// <summary>Server:AllowedNetworks, parsed; empty: every host.</summary>
    public IReadOnlyList<IPNetwork> AllowedNetworks => _allowed ??= Options.Server.AllowedNetworks.Select(n => IPNetwork.Parse(n)).ToList();

    private IReadOnlyList<IPNetwork>? _allowed;

    /// <summary>Whether a host at <paramref name="address"/> is served (Server:AllowedNetworks).</summary>
    public bool IsAllowed(IPAddress? address)
    {
        if (AllowedNetworks.Count == 0)
        {
            return true;
        }
        if (address == null)
        {
            return false;
        }
        var plain = address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
        return AllowedNetworks.Any(n => n.Contains(plain));
    }

    public ConfiguredImage? FindImage(string name) => Images.FirstOrDefault(i => string.Equals(i.Name, name, StringComparison.OrdinalIgnoreCase));
}

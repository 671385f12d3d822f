using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EzioPxe.Server.NetBoot.Dhcp;

/// <summary>
/// The decisions of the DHCP server, without sockets: given a client message and the port it came
/// to, the reply (if any) and its destination.
/// Proxy mode (PXE spec 2.1 "proxyDHCP"): only PXE clients are answered, yiaddr stays 0, and the
/// offer carries vendor class "PXEClient" so the firmware combines it with the real DHCP server's
/// offer. Full mode: addresses from the pool, and boot information BOOTP-style (file + siaddr,
/// no PXE vendor options) which every PXE ROM, EDK2 and iPXE boot from directly.
/// On port 4011 both modes answer a PXE client's boot-server request with an ACK.
/// </summary>
public sealed class DhcpResponder
{
    private static readonly IPEndPoint Broadcast = new(IPAddress.Broadcast, 68);

    private readonly DhcpServerOptions _options;
    private readonly IBootPlanProvider _plans;
    private readonly DhcpLeaseStore? _leases;
    private readonly ILogger _logger;
    private readonly IPAddress _nextServer;
    private readonly BootPathLog? _bootPaths;

    /// <param name="bootPaths">Where each machine's boot path is recorded for the status page; null: not recorded.</param>
    public DhcpResponder(DhcpServerOptions options, IBootPlanProvider plans, DhcpLeaseStore? leases = null, ILogger? logger = null, BootPathLog? bootPaths = null)
    {
        _bootPaths = bootPaths;
        options.Validate();
        _options = options;
        _plans = plans;
        _logger = logger ?? NullLogger.Instance;
        _nextServer = options.TftpServer ?? options.ServerAddress;
        _leases = options.Mode == DhcpMode.Full
            ? leases ?? new DhcpLeaseStore(options.RangeStart!, options.RangeEnd!, options.LeaseFile)
            : null;
    }

    public DhcpLeaseStore? Leases => _leases;

    /// <param name="request">The client's message.</param>
    /// <param name="source">Where it came from (replies on the PXE port go back there).</param>
    /// <param name="onPxePort">True when it arrived on port 4011 rather than 67.</param>
    /// <param name="now">Clock, for leases.</param>
    public DhcpReply? Respond(DhcpMessage request, IPEndPoint source, bool onPxePort, DateTimeOffset now)
    {
        if (request.Operation != DhcpMessage.BootRequest || request.HardwareType != 1 || request.HardwareAddressLength != 6)
        {
            return null;
        }
        var type = request.MessageType;
        if (type == null)
        {
            return null;
        }
        if (onPxePort)
        {
            return type is DhcpMessageType.Request or DhcpMessageType.Inform ? PxeBootServerAck(request, source) : null;
        }
        return _options.Mode == DhcpMode.Proxy ? RespondAsProxy(request, type.Value) : RespondAsServer(request, type.Value, now);
    }

    private DhcpReply? RespondAsProxy(DhcpMessage request, DhcpMessageType type)
    {
        // Only DISCOVER: the client's REQUEST goes to the real DHCP server; boot details, if the
        // client still wants them, come from port 4011.
        if (type != DhcpMessageType.Discover || !PxeClientInfo.IsBootClient(request))
        {
            return null;
        }
        var plan = PlanFor(request);
        if (plan == null)
        {
            return null;
        }
        Span<byte> buffer = stackalloc byte[DhcpReplyWriter.BufferLength];
        var writer = new DhcpReplyWriter(buffer, request, DhcpMessageType.Offer);
        AddPxeBootInfo(ref writer, request, plan);
        return new DhcpReply(buffer[..writer.Finish()].ToArray(), ReplyDestination(request, broadcastAnyway: true));
    }

    private DhcpReply? PxeBootServerAck(DhcpMessage request, IPEndPoint source)
    {
        if (!PxeClientInfo.IsPxeClient(request))
        {
            return null;
        }
        var plan = PlanFor(request);
        if (plan == null)
        {
            return null;
        }
        Span<byte> buffer = stackalloc byte[DhcpReplyWriter.BufferLength];
        var writer = new DhcpReplyWriter(buffer, request, DhcpMessageType.Ack);
        writer.SetClientAddress(request.ClientAddress);
        AddPxeBootInfo(ref writer, request, plan);
        return new DhcpReply(buffer[..writer.Finish()].ToArray(), source);
    }

    private DhcpReply? RespondAsServer(DhcpMessage request, DhcpMessageType type, DateTimeOffset now)
    {
        var leases = _leases!;
        var mac = request.ClientHardwareAddress;
        var serverId = request.GetAddressOption(DhcpOptionCode.ServerIdentifier);
        switch (type)
        {
            case DhcpMessageType.Discover:
            {
                var offered = leases.Offer(mac, request.GetAddressOption(DhcpOptionCode.RequestedAddress), now);
                if (offered == null)
                {
                    _logger.LogWarning("DHCP: address pool exhausted, no offer for {Mac}", mac);
                    return null;
                }
                return AddressReply(request, DhcpMessageType.Offer, offered);
            }
            case DhcpMessageType.Request:
            {
                if (serverId != null && !serverId.Equals(_options.ServerAddress))
                {
                    // The client took another server's offer (RFC 2131 4.3.2).
                    leases.Forget(mac);
                    return null;
                }
                var wanted = request.GetAddressOption(DhcpOptionCode.RequestedAddress)
                    ?? (request.ClientAddress.Equals(IPAddress.Any) ? null : request.ClientAddress);
                if (wanted == null)
                {
                    return null;
                }
                if (leases.Commit(mac, wanted, _options.LeaseTime, now))
                {
                    _logger.LogInformation("DHCP: {Address} leased to {Mac}", wanted, MacAddressText.Hyphenated(mac));
                    return AddressReply(request, DhcpMessageType.Ack, wanted);
                }
                return Nak(request);
            }
            case DhcpMessageType.Release:
                leases.Release(mac, request.ClientAddress, now);
                return null;
            case DhcpMessageType.Decline:
            {
                var declined = request.GetAddressOption(DhcpOptionCode.RequestedAddress);
                if (declined != null)
                {
                    leases.Decline(mac, declined, now);
                }
                return null;
            }
            case DhcpMessageType.Inform:
                return AddressReply(request, DhcpMessageType.Ack, yourAddress: null);
            default:
                return null;
        }
    }

    private DhcpReply AddressReply(DhcpMessage request, DhcpMessageType type, IPAddress? yourAddress)
    {
        Span<byte> buffer = stackalloc byte[DhcpReplyWriter.BufferLength];
        var writer = new DhcpReplyWriter(buffer, request, type);
        if (yourAddress != null)
        {
            writer.SetYourAddress(yourAddress);
        }
        else
        {
            writer.SetClientAddress(request.ClientAddress);
        }
        writer.AddAddress(DhcpOptionCode.ServerIdentifier, _options.ServerAddress);
        if (yourAddress != null)
        {
            writer.AddSeconds(DhcpOptionCode.LeaseTime, _options.LeaseTime);
            writer.AddSeconds(DhcpOptionCode.RenewalTime, _options.LeaseTime / 2);
            writer.AddSeconds(DhcpOptionCode.RebindingTime, _options.LeaseTime * 7 / 8);
        }
        writer.AddAddress(DhcpOptionCode.SubnetMask, _options.SubnetMask);
        if (_options.Router != null)
        {
            writer.AddAddress(DhcpOptionCode.Router, _options.Router);
        }
        if (_options.DnsServers.Count > 0)
        {
            Span<byte> dns = stackalloc byte[4 * Math.Min(_options.DnsServers.Count, 8)];
            for (var i = 0; i < dns.Length / 4; i++)
            {
                _options.DnsServers[i].TryWriteBytes(dns[(i * 4)..], out _);
            }
            writer.AddOption(DhcpOptionCode.DomainNameServer, dns);
        }
        var plan = PxeClientInfo.IsBootClient(request) || PxeClientInfo.IsIpxe(request) ? PlanFor(request) : null;
        if (plan != null)
        {
            if (PxeClientInfo.IsHttpClient(request))
            {
                // UEFI HTTP boot only takes the boot URL from an offer that names its class.
                writer.AddOption(DhcpOptionCode.VendorClass, "HTTPClient"u8);
            }
            writer.SetNextServer(_nextServer);
            writer.SetBootFile(plan.BootFile);
        }
        return new DhcpReply(buffer[..writer.Finish()].ToArray(), ReplyDestination(request, broadcastAnyway: false));
    }

    private DhcpReply Nak(DhcpMessage request)
    {
        Span<byte> buffer = stackalloc byte[DhcpReplyWriter.BufferLength];
        var writer = new DhcpReplyWriter(buffer, request, DhcpMessageType.Nak);
        writer.AddAddress(DhcpOptionCode.ServerIdentifier, _options.ServerAddress);
        // RFC 2131 4.1: a NAK is broadcast, the client's address is not to be trusted.
        return new DhcpReply(buffer[..writer.Finish()].ToArray(), ReplyDestination(request, broadcastAnyway: true));
    }

    private void AddPxeBootInfo(ref DhcpReplyWriter writer, DhcpMessage request, BootPlan plan)
    {
        writer.AddAddress(DhcpOptionCode.ServerIdentifier, _options.ServerAddress);
        if (PxeClientInfo.IsHttpClient(request))
        {
            // A UEFI HTTP boot proxy offer: vendor class "HTTPClient" and the URL, no PXE options.
            writer.AddOption(DhcpOptionCode.VendorClass, "HTTPClient"u8);
        }
        else
        {
            writer.AddOption(DhcpOptionCode.VendorClass, "PXEClient"u8);
            // PXE spec 2.1 table 2-1, sub-option 6 (discovery control) = 8: no boot server discovery,
            // no menu: download the boot file named in this packet.
            writer.AddOption(DhcpOptionCode.VendorSpecific, [6, 1, 8, 255]);
        }
        if (request.TryGetOption(DhcpOptionCode.ClientMachineId, out var guid))
        {
            // PXE clients match the proxy answer to themselves by their GUID (option 97), echoed back.
            writer.AddOption(DhcpOptionCode.ClientMachineId, guid);
        }
        writer.SetNextServer(_nextServer);
        writer.SetBootFile(plan.BootFile);
    }

    private BootPlan? PlanFor(DhcpMessage request)
    {
        var client = PxeClientInfo.ToBootClient(request);
        var plan = _plans.GetPlan(client);
        _logger.LogInformation("DHCP: {Mac} ({Architecture}{Ipxe}{Http}) -> {BootFile}", MacAddressText.Hyphenated(client.Mac!), client.Architecture,
            client.IsIpxe ? ", iPXE" : "", client.IsHttpBoot ? ", HTTPClient" : "", plan?.BootFile ?? "(not ours)");
        if (plan != null)
        {
            _bootPaths?.Record(client, plan.BootFile);
        }
        return plan;
    }

    /// <summary>
    /// RFC 2131 4.1: to the relay if there is one, to the client's own address if it has one,
    /// else broadcast. (Unicast to yiaddr before the client can answer ARP would need a manual
    /// ARP entry; broadcast is the allowed fallback and what the tiny PXE stacks handle best.)
    /// </summary>
    private IPEndPoint ReplyDestination(DhcpMessage request, bool broadcastAnyway)
    {
        if (!request.RelayAddress.Equals(IPAddress.Any))
        {
            return new IPEndPoint(request.RelayAddress, _options.ServerPort);
        }
        if (!broadcastAnyway && !request.ClientAddress.Equals(IPAddress.Any))
        {
            return new IPEndPoint(request.ClientAddress, _options.ClientPort);
        }
        return _options.ClientPort == 68 ? Broadcast : new IPEndPoint(IPAddress.Broadcast, _options.ClientPort);
    }
}

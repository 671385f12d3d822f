using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Tracker;
using EzioPxe.Server.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EzioPxe.Server.Tracker;

/// <summary>
/// The UDP tracker (BEP 15) on Tracker:UdpPort, over the same swarms as the HTTP tracker.
/// Connection ids are an HMAC of the client's address and the current 2-minute window, so the
/// tracker keeps no per-client state and a spoofed source address cannot announce.
/// </summary>
public sealed class UdpTrackerService(ServerSettings settings, TrackerService tracker, ILogger<UdpTrackerService> logger) : BackgroundService
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(2);
    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(32);
    private Socket? _socket;

    /// <summary>The bound port (Tracker:UdpPort, or the kernel's pick for 0 in tests).</summary>
    public int Port { get; private set; }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        var address = settings.Address;
        _socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        // Replies must leave from the address the request came to: learn it per datagram.
        _socket.SetSocketOption(address.AddressFamily == AddressFamily.InterNetwork ? SocketOptionLevel.IP : SocketOptionLevel.IPv6, SocketOptionName.PacketInformation, true);
        try
        {
            _socket.Bind(new IPEndPoint(address, settings.Tracker.UdpPort));
        }
        catch (SocketException e)
        {
            throw new Http.BindFailedException($"Tracker:UdpPort: cannot listen on {address}:{settings.Tracker.UdpPort}: {e.Message}", e);
        }
        Port = ((IPEndPoint)_socket.LocalEndPoint!).Port;
        logger.LogInformation("UDP tracker on {Address}:{Port}", address, Port);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var socket = _socket!;
        var request = new byte[2048];
        var reply = new byte[8 + 12 + 6 * 1000];
        EndPoint any = new IPEndPoint(socket.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        while (!stoppingToken.IsCancellationRequested)
        {
            SocketReceiveMessageFromResult received;
            try
            {
                received = await socket.ReceiveMessageFromAsync(request, SocketFlags.None, any, stoppingToken);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                logger.LogDebug("UDP tracker: receive failed: {Reason}", e.Message);
                continue;
            }
            var remote = (IPEndPoint)received.RemoteEndPoint;
            if (!settings.IsAllowed(remote.Address))
            {
                continue; // Server:AllowedNetworks: no answer at all
            }
            var length = Handle(request.AsSpan(0, received.ReceivedBytes), remote, received.PacketInformation.Address, reply);
            if (length > 0)
            {
                try
                {
                    await socket.SendToAsync(reply.AsMemory(0, length), SocketFlags.None, remote, stoppingToken);
                }
                catch (SocketException e)
                {
                    logger.LogDebug("UDP tracker: reply to {Remote} failed: {Reason}", remote, e.Message);
                }
            }
        }
    }

    /// <summary>Answers one datagram; returns the reply's length, or 0 to stay silent (too short to carry a transaction id).</summary>
    public int Handle(ReadOnlySpan<byte> request, IPEndPoint remote, IPAddress local, Span<byte> reply)
    {
        if (request.Length < UdpTrackerPacket.ConnectRequestLength)
        {
            return 0;
        }
        var transaction = UdpTrackerPacket.TransactionId(request);
        var action = UdpTrackerPacket.Action(request);
        var connectionId = UdpTrackerPacket.ConnectionId(request);
        if (action == UdpTrackerPacket.Connect)
        {
            return connectionId == UdpTrackerPacket.ProtocolId
                ? UdpTrackerPacket.WriteConnectReply(reply, transaction, ConnectionIdFor(remote.Address, DateTime.UtcNow))
                : UdpTrackerPacket.WriteError(reply, transaction, "connect without the protocol id");
        }
        var now = DateTime.UtcNow;
        // Valid for this window and the one before: at least 2 minutes, as BEP 15 asks.
        if (connectionId != ConnectionIdFor(remote.Address, now) && connectionId != ConnectionIdFor(remote.Address, now - Window))
        {
            return UdpTrackerPacket.WriteError(reply, transaction, "unknown or expired connection id; connect again");
        }
        return action switch
        {
            UdpTrackerPacket.Announce => Announce(request, remote, local, reply, transaction),
            UdpTrackerPacket.Scrape => Scrape(request, reply, transaction),
            _ => UdpTrackerPacket.WriteError(reply, transaction, $"unknown action {action}"),
        };
    }

    private int Announce(ReadOnlySpan<byte> request, IPEndPoint remote, IPAddress local, Span<byte> reply, int transaction)
    {
        if (request.Length < UdpTrackerPacket.AnnounceRequestLength)
        {
            return UdpTrackerPacket.WriteError(reply, transaction, $"announce of {request.Length} bytes, not {UdpTrackerPacket.AnnounceRequestLength}");
        }
        var infoHash = new InfoHash(request.Slice(16, 20));
        if (tracker.Find(infoHash) is not { } swarm)
        {
            return UdpTrackerPacket.WriteError(reply, transaction, $"unknown torrent {infoHash.ToHex()}: this tracker serves only its own images");
        }
        var downloaded = BinaryPrimitives.ReadInt64BigEndian(request[56..]);
        var left = BinaryPrimitives.ReadInt64BigEndian(request[64..]);
        var uploaded = BinaryPrimitives.ReadInt64BigEndian(request[72..]);
        var trackerEvent = BinaryPrimitives.ReadInt32BigEndian(request[80..]) switch
        {
            1 => TrackerEvent.Completed,
            2 => TrackerEvent.Started,
            3 => TrackerEvent.Stopped,
            _ => TrackerEvent.None,
        };
        var numWant = BinaryPrimitives.ReadInt32BigEndian(request[92..]);
        var port = BinaryPrimitives.ReadUInt16BigEndian(request[96..]);
        if (port == 0 || left < 0 || uploaded < 0 || downloaded < 0)
        {
            return UdpTrackerPacket.WriteError(reply, transaction, port == 0 ? "port 0" : "negative byte counts");
        }
        var query = new AnnounceQuery(infoHash, request.Slice(36, 20).ToArray(), port, uploaded, downloaded, left, trackerEvent, null, true, true);
        var remoteAddress = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
        var localAddress = local.IsIPv4MappedToIPv6 ? local.MapToIPv4() : local;
        var options = tracker.Options;
        var wanted = Math.Clamp(numWant < 0 ? options.DefaultPeers : numWant, 0, Math.Min(options.MaxPeers, 1000));
        var result = swarm.Announce(query, remoteAddress, localAddress, DateTime.UtcNow, wanted, tracker.PeerTimeout, options.OriginUntilSeeders, options.PeersPerAddress);
        BinaryPrimitives.WriteInt32BigEndian(reply, UdpTrackerPacket.Announce);
        BinaryPrimitives.WriteInt32BigEndian(reply[4..], transaction);
        BinaryPrimitives.WriteInt32BigEndian(reply[8..], options.IntervalSeconds);
        BinaryPrimitives.WriteInt32BigEndian(reply[12..], result.Counts.Incomplete);
        BinaryPrimitives.WriteInt32BigEndian(reply[16..], result.Counts.Complete);
        var length = 20;
        // IPv4 peers to an IPv4 asker, IPv6 to IPv6: BEP 15 peers are 6 or 18 bytes by the socket's family.
        var size = remoteAddress.AddressFamily == AddressFamily.InterNetwork ? 6 : 18;
        foreach (var peer in result.Peers)
        {
            if ((peer.EndPoint.AddressFamily == AddressFamily.InterNetwork) == (size == 6) && length + size <= reply.Length)
            {
                CompactPeers.Write(reply.Slice(length, size), peer.EndPoint);
                length += size;
            }
        }
        return length;
    }

    private int Scrape(ReadOnlySpan<byte> request, Span<byte> reply, int transaction)
    {
        var hashes = request[UdpTrackerPacket.ScrapeHeaderLength..];
        if (hashes.Length == 0 || hashes.Length % InfoHash.Length != 0)
        {
            return UdpTrackerPacket.WriteError(reply, transaction, $"scrape with {hashes.Length} bytes of info-hashes, not a multiple of 20");
        }
        BinaryPrimitives.WriteInt32BigEndian(reply, UdpTrackerPacket.Scrape);
        BinaryPrimitives.WriteInt32BigEndian(reply[4..], transaction);
        var length = 8;
        for (var i = 0; i < hashes.Length && length + 12 <= reply.Length; i += InfoHash.Length)
        {
            // Unknown torrents read as empty swarms: the reply's entries must line up with the request's.
            var counts = tracker.Find(new InfoHash(hashes.Slice(i, InfoHash.Length)))?.Scrape(DateTime.UtcNow, tracker.PeerTimeout) ?? default;
            BinaryPrimitives.WriteInt32BigEndian(reply[length..], counts.Complete);
            BinaryPrimitives.WriteInt32BigEndian(reply[(length + 4)..], counts.Downloaded);
            BinaryPrimitives.WriteInt32BigEndian(reply[(length + 8)..], counts.Incomplete);
            length += 12;
        }
        return length;
    }

    private long ConnectionIdFor(IPAddress address, DateTime time)
    {
        Span<byte> input = stackalloc byte[16 + 8];
        address.MapToIPv6().TryWriteBytes(input, out _);
        BinaryPrimitives.WriteInt64BigEndian(input[16..], time.Ticks / Window.Ticks);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_secret, input, mac);
        return BinaryPrimitives.ReadInt64BigEndian(mac);
    }

    public override void Dispose()
    {
        _socket?.Dispose();
        base.Dispose();
    }
}

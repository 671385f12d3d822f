using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EzioPxe.Server.NetBoot.Dhcp;

/// <summary>
/// DHCP (full mode) or proxyDHCP server on UDP 67, plus the PXE boot-server port 4011.
/// The port-67 socket listens on 0.0.0.0 because clients without an address send from 0.0.0.0
/// to 255.255.255.255; SO_BINDTODEVICE keeps it to the deployment interface, and broadcasts
/// leave through that interface only.
/// </summary>
public sealed class DhcpServer : IAsyncDisposable
{
    // Linux <asm-generic/socket.h>: SOL_SOCKET level and SO_BINDTODEVICE option.
    private const int SolSocket = 1;
    private const int SoBindToDevice = 25;

    private readonly DhcpServerOptions _options;
    private readonly DhcpResponder _responder;
    private readonly ILogger _logger;
    private readonly List<Socket> _sockets = [];
    private readonly List<Task> _loops = [];
    private CancellationTokenSource? _stopping;

    public DhcpServer(DhcpServerOptions options, IBootPlanProvider plans, ILogger? logger = null, BootPathLog? bootPaths = null)
    {
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _responder = new DhcpResponder(options, plans, leases: null, _logger, bootPaths);
    }

    /// <summary>Full mode's address pool (null in proxy mode).</summary>
    public DhcpLeaseStore? Leases => _responder.Leases;

    /// <summary>Opens the sockets (so a busy port or a missing interface fails here) and starts answering.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_stopping != null)
        {
            throw new InvalidOperationException("DHCP server already started");
        }
        _stopping = new CancellationTokenSource();
        try
        {
            var main = Open(_options.ServerPort, IPAddress.Any);
            _loops.Add(Task.Run(() => ReceiveLoopAsync(main, onPxePort: false, _stopping.Token), CancellationToken.None));
            if (_options.PxePort != 0)
            {
                var pxe = Open(_options.PxePort, IPAddress.Any);
                _loops.Add(Task.Run(() => ReceiveLoopAsync(pxe, onPxePort: true, _stopping.Token), CancellationToken.None));
            }
        }
        catch
        {
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
            _sockets.Clear();
            _stopping.Dispose();
            _stopping = null;
            throw;
        }
        _logger.LogInformation("DHCP ({Mode}) on {Interface}, ports {Port}/{PxePort}, server {Address}",
            _options.Mode, _options.Interface ?? "all interfaces", _options.ServerPort, _options.PxePort, _options.ServerAddress);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_stopping == null)
        {
            return;
        }
        await _stopping.CancelAsync();
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
        await Task.WhenAll(_loops).WaitAsync(cancellationToken);
        _sockets.Clear();
        _loops.Clear();
        _stopping.Dispose();
        _stopping = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private Socket Open(int port, IPAddress address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _sockets.Add(socket);
        try
        {
            // No SO_REUSEADDR/SO_REUSEPORT: a second DHCP server on this port must fail to start,
            // not share the port and take half the requests.
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.Broadcast, true);
            if (_options.Interface != null)
            {
                socket.SetRawSocketOption(SolSocket, SoBindToDevice, Encoding.ASCII.GetBytes(_options.Interface + "\0"));
            }
            socket.Bind(new IPEndPoint(address, port));
        }
        catch (SocketException e)
        {
            throw new InvalidOperationException(
                $"DHCP: cannot listen on port {port}{(_options.Interface == null ? "" : " of " + _options.Interface)}: {e.Message}", e);
        }
        return socket;
    }

    private async Task ReceiveLoopAsync(Socket socket, bool onPxePort, CancellationToken stopping)
    {
        // One byte more than the largest message we accept, so an oversized one is seen as such.
        var buffer = new byte[DhcpMessage.MaxLength + 1];
        EndPoint anyRemote = new IPEndPoint(IPAddress.Any, 0);
        while (!stopping.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, anyRemote, stopping);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                _logger.LogDebug("DHCP receive: {Error}", e.SocketErrorCode);
                continue;
            }
            var source = (IPEndPoint)received.RemoteEndPoint;
            var message = DhcpMessage.TryParse(buffer.AsSpan(0, received.ReceivedBytes), out var error);
            if (message == null)
            {
                _logger.LogDebug("DHCP: dropped packet from {Source}: {Error}", source, error);
                continue;
            }
            try
            {
                var reply = _responder.Respond(message, source, onPxePort, DateTimeOffset.UtcNow);
                if (reply != null)
                {
                    await socket.SendToAsync(reply.Packet, SocketFlags.None, reply.Destination, stopping);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (Exception e)
            {
                // One bad exchange (an unreachable relay, a plan provider that throws) must not stop the server.
                _logger.LogWarning("DHCP: answering {Source} failed: {Error}", source, e.Message);
            }
        }
    }
}

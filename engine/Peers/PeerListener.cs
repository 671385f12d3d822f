using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EzioPxe.Engine.Peers;

/// <summary>
/// Accepts incoming peer connections on one TCP port for any number of sessions, and hands each to
/// the session whose info-hash its handshake names.
/// </summary>
public sealed class PeerListener : IAsyncDisposable
{
    /// <summary>Connections from one address still in their handshake; more are closed at once (a LAN host may be hostile).</summary>
    private const int MaxHandshakesPerAddress = 8;

    /// <summary>Connections in their handshake from all addresses together.</summary>
    private const int MaxHandshakes = 512;

    private const int SolSocket = 1; // SOL_SOCKET on Linux
    private const int SoReuseAddr = 2; // SO_REUSEADDR on Linux

    private readonly Socket _socket;
    private readonly ConcurrentDictionary<InfoHash, IPeerAcceptor> _sessions = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger;
    private readonly int _socketBufferSize;
    private readonly Dictionary<IPAddress, int> _handshaking = new();
    private int _handshakingTotal;
    private Task? _accepting;

    public PeerListener(IPEndPoint endPoint, ILogger? logger = null, int socketBufferSize = 0)
    {
        _logger = logger ?? NullLogger.Instance;
        _socketBufferSize = socketBufferSize;
        _socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        // SO_REUSEADDR alone (a restart binds despite TIME_WAIT). .NET's ReuseAddress also sets
        // SO_REUSEPORT on Linux, which lets a second process bind the same port and split the peers.
        _socket.SetRawSocketOption(SolSocket, SoReuseAddr, BitConverter.GetBytes(1));
        _socket.Bind(endPoint);
        _socket.Listen(512);
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint EndPoint { get; }

    /// <summary>Which remote addresses may connect at all (e.g. the server's allowed networks); null lets everyone try.</summary>
    public Func<IPAddress, bool>? AcceptFilter { get; init; }

    public int Port => EndPoint.Port;

    public void Start() => _accepting ??= Task.Run(AcceptLoopAsync);

    public void Register(IPeerAcceptor session) => _sessions[session.InfoHash] = session;

    public void Unregister(IPeerAcceptor session) => _sessions.TryRemove(session.InfoHash, out _);

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket accepted;
            try
            {
                accepted = await _socket.AcceptAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                // Stopping: DisposeAsync cancels, then disposes the socket, and the loop may reach
                // AcceptAsync between the two (CI: a server stopping at start-up died with this).
                return;
            }
            catch (SocketException e)
            {
                _logger.LogWarning("peer listener: accept failed: {Reason}", e.Message);
                continue;
            }
            var address = accepted.RemoteEndPoint is IPEndPoint remote ? Normalize(remote.Address) : IPAddress.None;
            if (AcceptFilter is { } filter && !filter(address))
            {
                accepted.Dispose();
                continue;
            }
            if (!TryStartHandshake(address))
            {
                _logger.LogDebug("peer listener: too many handshakes from {Address}; closed", address);
                accepted.Dispose();
                continue;
            }
            _ = Task.Run(() => HandshakeAsync(accepted, address));
        }
    }

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    private bool TryStartHandshake(IPAddress address)
    {
        lock (_handshaking)
        {
            _handshaking.TryGetValue(address, out var count);
            if (count >= MaxHandshakesPerAddress || _handshakingTotal >= MaxHandshakes)
            {
                return false;
            }
            _handshaking[address] = count + 1;
            _handshakingTotal++;
            return true;
        }
    }

    private void EndHandshake(IPAddress address)
    {
        lock (_handshaking)
        {
            _handshakingTotal--;
            if (--_handshaking[address] == 0)
            {
                _handshaking.Remove(address);
            }
        }
    }

    private async Task HandshakeAsync(Socket socket, IPAddress address)
    {
        PeerConnection connection;
        try
        {
            connection = PeerConnection.FromAccepted(socket, _socketBufferSize);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            EndHandshake(address);
            socket.Dispose();
            return; // gone before we looked at it
        }
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var theirs = await connection.ReceiveHandshakeAsync(timeout.Token);
            if (!_sessions.TryGetValue(theirs.InfoHash, out var session))
            {
                throw new PeerProtocolException($"no torrent {theirs.InfoHash} here");
            }
            var ours = session.OurHandshake;
            await connection.SendHandshakeAsync(ours, timeout.Token);
            connection.Accept(theirs, ours);
            session.AttachIncoming(connection);
        }
        catch (Exception e) when (e is IOException or SocketException or PeerProtocolException or OperationCanceledException)
        {
            _logger.LogDebug("peer listener: dropped {Peer}: {Reason}", connection.RemoteEndPoint, e.Message);
            await connection.DisposeAsync();
        }
        finally
        {
            EndHandshake(address);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _socket.Dispose();
        if (_accepting != null)
        {
            await _accepting;
        }
        _stop.Dispose();
    }
}

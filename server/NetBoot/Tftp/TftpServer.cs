using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EzioPxe.Server.NetBoot.Tftp;

/// <summary>
/// Read-only TFTP server (RFC 1350 with RFC 2347/2348/2349/7440 options). One listening socket
/// takes requests; every transfer gets its own socket and thread, so many clients run at once.
/// </summary>
public sealed class TftpServer : IAsyncDisposable
{
    private readonly TftpServerOptions _options;
    private readonly TftpRoot _root;
    private readonly TftpRoot? _bootRoot;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<IPEndPoint, Task> _transfers = new();
    private CancellationTokenSource? _stopping;
    private Socket? _socket;
    private Task? _receiveLoop;

    public TftpServer(TftpServerOptions options, IGeneratedFiles? generatedFiles = null, ILogger? logger = null)
    {
        _options = options;
        _root = new TftpRoot(options.Root, generatedFiles);
        _bootRoot = options.BootDirectory == null ? null : new TftpRoot(options.BootDirectory, generated: null);
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Where the server listens (the real port when <see cref="TftpServerOptions.Port"/> was 0).</summary>
    public IPEndPoint LocalEndPoint => (IPEndPoint)(_socket ?? throw new InvalidOperationException("TFTP server not started")).LocalEndPoint!;

    /// <summary>Transfers in progress right now.</summary>
    public int ActiveTransfers => _transfers.Count;

    /// <summary>Binds the socket (so errors like "port in use" surface here) and starts serving.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_socket != null)
        {
            throw new InvalidOperationException("TFTP server already started");
        }
        var socket = new Socket(_options.ListenAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            // Lets transfers answer from the address the request came to, even when listening on Any.
            socket.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.PacketInformation, true);
            socket.Bind(new IPEndPoint(_options.ListenAddress, _options.Port));
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new InvalidOperationException($"TFTP: cannot listen on {_options.ListenAddress}:{_options.Port}: {e.Message}", e);
        }
        _socket = socket;
        _stopping = new CancellationTokenSource();
        _receiveLoop = Task.Run(() => ReceiveLoopAsync(_stopping.Token), CancellationToken.None);
        _logger.LogInformation("TFTP serving {Root} on {EndPoint}", _root.RealRoot, socket.LocalEndPoint);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_stopping == null)
        {
            return;
        }
        await _stopping.CancelAsync();
        _socket?.Dispose();
        try
        {
            await Task.WhenAll(_transfers.Values.Append(_receiveLoop ?? Task.CompletedTask)).WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The transfers end by cancellation; that is the point of stopping.
        }
        _stopping.Dispose();
        _stopping = null;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private async Task ReceiveLoopAsync(CancellationToken stopping)
    {
        var buffer = new byte[TftpReadRequest.MaxRequestLength + 1];
        EndPoint anyRemote = new IPEndPoint(IPAddress.Any, 0);
        while (!stopping.IsCancellationRequested)
        {
            SocketReceiveMessageFromResult received;
            try
            {
                received = await _socket!.ReceiveMessageFromAsync(buffer, SocketFlags.None, anyRemote, stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                // A stray ICMP error for an earlier reply; the socket is still fine.
                _logger.LogDebug("TFTP receive: {Error}", e.SocketErrorCode);
                continue;
            }
            var client = (IPEndPoint)received.RemoteEndPoint;
            if (_options.AllowedClients is { } allowed && !allowed(client.Address))
            {
                continue; // not a deployment network: silence, as if nobody were here
            }
            try
            {
                HandleRequest(buffer.AsSpan(0, received.ReceivedBytes), client, received.PacketInformation.Address, stopping);
            }
            catch (Exception e)
            {
                // Whatever went wrong with one request (a menu that cannot be rendered, a file that
                // vanished), the server goes on serving everyone else.
                _logger.LogWarning("TFTP request from {Client} failed: {Error}", client, e.Message);
                TrySendError(client, TftpErrorCode.NotDefined, "server error");
            }
        }
    }

    private void HandleRequest(ReadOnlySpan<byte> packet, IPEndPoint client, IPAddress localAddress, CancellationToken stopping)
    {
        if (packet.Length < 2)
        {
            return;
        }
        var opcode = (TftpOpcode)(packet[0] << 8 | packet[1]);
        switch (opcode)
        {
            case TftpOpcode.ReadRequest:
                break;
            case TftpOpcode.WriteRequest:
                SendError(client, TftpErrorCode.AccessViolation, "this server is read-only");
                return;
            case TftpOpcode.Data or TftpOpcode.Ack or TftpOpcode.Error or TftpOpcode.OptionAck:
                // Late packets of finished transfers sent to the wrong port; answering would only add noise.
                return;
            default:
                SendError(client, TftpErrorCode.IllegalOperation, "unknown opcode");
                return;
        }
        var request = TftpReadRequest.TryParse(packet, out var problem);
        if (request == null)
        {
            _logger.LogInformation("TFTP bad request from {Client}: {Problem}", client, problem);
            SendError(client, TftpErrorCode.IllegalOperation, "malformed request: " + problem);
            return;
        }
        if (_transfers.ContainsKey(client))
        {
            // The client sent its request again before our first packet arrived; the transfer is under way.
            return;
        }
        if (_transfers.Count >= _options.MaxConcurrentTransfers)
        {
            SendError(client, TftpErrorCode.NotDefined, "server busy, try again");
            return;
        }
        // Any LAN host may ask: one address must not hold every transfer slot.
        if (_transfers.Keys.Count(k => k.Address.Equals(client.Address)) >= _options.MaxTransfersPerClient)
        {
            SendError(client, TftpErrorCode.NotDefined, $"too many transfers from {client.Address} at once, try again");
            return;
        }
        if (_options.RefuseFile?.Invoke(request.FileName, client.Address) is { } refusal)
        {
            SendError(client, TftpErrorCode.AccessViolation, refusal);
            return;
        }
        var opened = OpenFile(request.FileName);
        if (opened.Content == null)
        {
            _logger.LogInformation("TFTP {Client} {File}: {Message}", client, request.FileName, opened.Message);
            SendError(client, opened.Error, opened.Message);
            return;
        }
        var content = opened.Content;
        if (request.Mode == TftpTransferMode.NetAscii)
        {
            if (NetAsciiContent.TryCreate(content) is not { } converted)
            {
                content.Dispose();
                SendError(client, TftpErrorCode.IllegalOperation, "file too large for netascii; use octet mode");
                return;
            }
            content = converted;
        }
        var negotiation = TftpNegotiation.Negotiate(request.Options, content.Length, _options);
        Socket transferSocket;
        try
        {
            transferSocket = new Socket(client.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            transferSocket.Bind(new IPEndPoint(localAddress, 0));
            transferSocket.Connect(client);
        }
        catch (SocketException)
        {
            content.Dispose();
            throw;
        }
        var description = $"{client} {request.FileName}";
        _logger.LogInformation("TFTP {Transfer}: {Length} bytes, blksize {BlockSize}, windowsize {WindowSize}", description, content.Length, negotiation.BlockSize, negotiation.WindowSize);
        var transfer = new TftpTransfer(transferSocket, content, negotiation, _options, _logger, description);
        var registered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _transfers[client] = StartTransfer(transfer, transferSocket, content, client, registered.Task, stopping);
        registered.SetResult();
    }

    private Task StartTransfer(TftpTransfer transfer, Socket socket, TftpContent content, IPEndPoint client, Task registered, CancellationToken stopping) =>
        // LongRunning: a thread of its own, because the transfer blocks on its socket (see TftpTransfer.Run).
        Task.Factory.StartNew(() => RunTransfer(transfer, socket, content, client, registered, stopping),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void RunTransfer(TftpTransfer transfer, Socket socket, TftpContent content, IPEndPoint client, Task registered, CancellationToken stopping)
    {
        try
        {
            // Wait until the receive loop has registered this task, so the removal below cannot come first.
            registered.Wait(stopping);
            transfer.Run(stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _logger.LogWarning("TFTP transfer to {Client} failed: {Error}", client, e.Message);
        }
        finally
        {
            socket.Dispose();
            content.Dispose();
            _transfers.TryRemove(client, out _);
        }
    }

    private void TrySendError(IPEndPoint client, TftpErrorCode code, string message)
    {
        try
        {
            SendError(client, code, message);
        }
        catch (SocketException)
        {
        }
    }

    private void SendError(IPEndPoint client, TftpErrorCode code, string message)
    {
        Span<byte> buffer = stackalloc byte[256];
        var length = TftpPacket.WriteError(buffer, code, message);
        _socket!.SendTo(buffer[..length], SocketFlags.None, client);
    }

    /// <summary>"boot/..." from <see cref="TftpServerOptions.BootDirectory"/> when one is set, everything else from the root.</summary>
    private TftpOpenResult OpenFile(string requested)
    {
        if (_bootRoot != null && TftpRoot.NormalizeRequestPath(requested) is { } path && path.StartsWith("boot/", StringComparison.Ordinal))
        {
            return _bootRoot.Open(path["boot/".Length..]);
        }
        return _root.Open(requested);
    }
}

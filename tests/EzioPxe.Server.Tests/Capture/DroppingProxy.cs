using System.Net;
using System.Net.Sockets;

namespace EzioPxe.Server.Tests.Capture;

/// <summary>
/// A TCP relay on loopback in front of the server that cuts the connection once (a reset, as a
/// pulled cable or a switch reboot looks to the client) after the client has sent
/// <c>dropAfterBytes</c>; later connections pass untouched.
/// </summary>
public sealed class DroppingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _target;
    private readonly long _dropAfterBytes;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private long _sent;
    private int _dropped;

    public DroppingProxy(int targetPort, long dropAfterBytes)
    {
        _target = targetPort;
        _dropAfterBytes = dropAfterBytes;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public bool Dropped => Volatile.Read(ref _dropped) == 1;

    /// <summary>Bytes the client sent through the proxy, in all connections.</summary>
    public long BytesFromClient => Interlocked.Read(ref _sent);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            _ = RelayAsync(client);
        }
    }

    private async Task RelayAsync(Socket client)
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var _ = client;
        try
        {
            await server.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _target), _stop.Token);
            using var cut = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            var up = PumpAsync(client, server, countAndDrop: true, cut);
            var down = PumpAsync(server, client, countAndDrop: false, cut);
            await Task.WhenAny(up, down);
            await cut.CancelAsync();
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private async Task PumpAsync(Socket from, Socket to, bool countAndDrop, CancellationTokenSource cut)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, cut.Token);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                if (countAndDrop && Interlocked.Add(ref _sent, read) >= _dropAfterBytes && Interlocked.CompareExchange(ref _dropped, 1, 0) == 0)
                {
                    // RST both ways: linger 0 then close.
                    from.LingerState = new LingerOption(true, 0);
                    to.LingerState = new LingerOption(true, 0);
                    from.Close();
                    to.Close();
                    return;
                }
                await to.SendAsync(buffer.AsMemory(0, read), cut.Token);
            }
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
        _stop.Dispose();
    }
}

using System.Net.Sockets;
using System.Text;

namespace EzioPxe.Server.Tests.Packaging;

/// <summary>The receiving end of sd_notify, as systemd has it: a unix datagram socket bound to a path.</summary>
public sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);

    public NotifySocket(string path)
    {
        Path = path;
        File.Delete(path);
        _socket.Bind(new UnixDomainSocketEndPoint(path));
    }

    public string Path { get; }

    /// <summary>The next datagram's text, or null when none came within <paramref name="timeout"/>.</summary>
    public string? Receive(TimeSpan timeout)
    {
        if (!_socket.Poll(timeout, SelectMode.SelectRead))
        {
            return null;
        }
        var buffer = new byte[4096];
        var length = _socket.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, length);
    }

    /// <summary>Datagrams until one holds <paramref name="state"/> (e.g. "READY=1"); null at the deadline.</summary>
    public string? WaitFor(string state, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var message = Receive(deadline - DateTime.UtcNow);
            if (message != null && message.Split('\n').Contains(state))
            {
                return message;
            }
        }
        return null;
    }

    public void Dispose()
    {
        _socket.Dispose();
        File.Delete(Path);
    }
}

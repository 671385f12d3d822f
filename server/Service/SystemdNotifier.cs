using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Hosting;

namespace EzioPxe.Server.Service;

/// <summary>
/// sd_notify(3) without libsystemd: systemd (Type=notify) passes the path of a unix datagram
/// socket in $NOTIFY_SOCKET; a '@' first means a Linux abstract socket name (leading NUL).
/// `serve` sends READY=1 once every listener is up (the host's ApplicationStarted comes after
/// Kestrel and every hosted service, DHCP and TFTP included, have started), and STOPPING=1 on
/// SIGTERM, so `systemctl start` returns only when machines can be served.
/// </summary>
public static class SystemdNotifier
{
    public const string SocketVariable = "NOTIFY_SOCKET";

    /// <summary>Sends READY=1 when the host has started and STOPPING=1 when it begins to stop.</summary>
    public static void Attach(IHostApplicationLifetime lifetime, string status)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(SocketVariable)))
        {
            return; // Not started by systemd (or Type is not notify).
        }
        lifetime.ApplicationStarted.Register(() => Notify($"READY=1\nSTATUS={status}\nMAINPID={Environment.ProcessId}"));
        lifetime.ApplicationStopping.Register(() => Notify("STOPPING=1\nSTATUS=stopping"));
    }

    /// <summary>Sends one notification; false when $NOTIFY_SOCKET is unset or the send fails (never throws: a lost notification must not stop the server).</summary>
    public static bool Notify(string state)
    {
        var path = Environment.GetEnvironmentVariable(SocketVariable);
        if (string.IsNullOrEmpty(path) || (path[0] != '/' && path[0] != '@'))
        {
            return false;
        }
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
            var endPoint = new UnixDomainSocketEndPoint(path[0] == '@' ? "\0" + path[1..] : path);
            socket.SendTo(Encoding.UTF8.GetBytes(state), endPoint);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}

namespace EzioPxe.Server.Service;

/// <summary>
/// A process that holds a socket on a port the server wants: its pid, its command name
/// (/proc/PID/comm) and, when known, the systemd unit it runs in (/proc/PID/cgroup).
/// </summary>
public sealed record PortHolder(int Pid, string Command, string? Unit)
{
    /// <summary>
    /// Debian daemons that take the network-boot ports, by command name, with the service that
    /// starts them. Their units are named after the package, not the command, so the command alone
    /// is the reliable clue (a daemon started by hand runs in some other unit's cgroup).
    /// </summary>
    private static readonly Dictionary<string, string> KnownServices = new(StringComparer.Ordinal)
    {
        ["in.tftpd"] = "tftpd-hpa",
        ["dnsmasq"] = "dnsmasq",
        ["dhcpd"] = "isc-dhcp-server",
        ["atftpd"] = "atftpd",
        ["udhcpd"] = "udhcpd",
        ["kea-dhcp4"] = "kea-dhcp4-server",
    };

    /// <summary>The command that frees the port: stop and disable the service, or stop the process.</summary>
    public string Fix =>
        KnownServices.TryGetValue(Command, out var service) ? $"systemctl disable --now {service}"
        : Unit is { } unit ? $"systemctl disable --now {unit}"
        : $"stop it (kill {Pid})";

    public override string ToString() => $"{Command} (pid {Pid})";
}

using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace EzioPxe.Server.Service;

/// <summary>
/// Finds which process holds a TCP or UDP port, the way `ss -p` does: the kernel's socket tables
/// (/proc/net/{tcp,tcp6,udp,udp6}) give the inode of each bound socket, and /proc/PID/fd links
/// name the inode ("socket:[N]") of every socket a process has open. Seeing other processes' fds
/// needs root, which `serve` has (it binds ports 67 and 69).
/// </summary>
public static class PortHolders
{
    /// <summary>/proc/net/tcp state 0A: a listening socket (include/net/tcp_states.h).</summary>
    private const string TcpListen = "0A";

    /// <summary>
    /// The processes (other than this one) with a socket on <paramref name="port"/> that would
    /// take packets meant for <paramref name="address"/>: bound to it, or either side bound to
    /// every address. TCP counts listening sockets only.
    /// </summary>
    public static IReadOnlyList<PortHolder> Find(ProtocolType protocol, int port, IPAddress address, string procRoot = "/proc")
    {
        var inodes = BoundInodes(protocol, port, address, procRoot);
        if (inodes.Count == 0)
        {
            return [];
        }
        var holders = new List<PortHolder>();
        foreach (var pidDirectory in SafeEnumerate(() => Directory.EnumerateDirectories(procRoot)))
        {
            if (!int.TryParse(Path.GetFileName(pidDirectory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId)
            {
                continue;
            }
            if (SafeEnumerate(() => Directory.EnumerateFileSystemEntries(Path.Combine(pidDirectory, "fd"))).Any(fd => inodes.Contains(SocketInode(fd) ?? -1)))
            {
                holders.Add(new PortHolder(pid, ReadTrimmed(Path.Combine(pidDirectory, "comm")) ?? "?", ServiceUnit(pidDirectory)));
            }
        }
        return holders;
    }

    /// <summary>
    /// One line for the administrator, e.g. "UDP 69 is held by in.tftpd (pid 812): systemctl disable
    /// --now tftpd-hpa"; null when the port is free. A port in use by a process we cannot see
    /// (not root) is still reported, without a name.
    /// </summary>
    public static string? Describe(ProtocolType protocol, int port, IPAddress address, string? purpose = null, string procRoot = "/proc")
    {
        var name = $"{(protocol == ProtocolType.Tcp ? "TCP" : "UDP")} {port}{(purpose == null ? "" : $" ({purpose})")}";
        var holders = Find(protocol, port, address, procRoot);
        if (holders.Count > 0)
        {
            var fixes = holders.Select(h => h.Fix).Distinct(StringComparer.Ordinal);
            return $"{name} is held by {string.Join(", ", holders)}: {string.Join("; ", fixes)}";
        }
        return BoundInodes(protocol, port, address, procRoot).Count > 0
            ? $"{name} is held by another program (run as root to see which; `ss -lunp` / `ss -ltnp` names it)"
            : null;
    }

    private static HashSet<long> BoundInodes(ProtocolType protocol, int port, IPAddress address, string procRoot)
    {
        var inodes = new HashSet<long>();
        var table = protocol == ProtocolType.Tcp ? "tcp" : "udp";
        foreach (var file in new[] { table, table + "6" })
        {
            string[] lines;
            try
            {
                lines = File.ReadAllLines(Path.Combine(procRoot, "net", file));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue; // No IPv6 in this kernel or namespace.
            }
            foreach (var line in lines.Skip(1))
            {
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 10 || (protocol == ProtocolType.Tcp && fields[3] != TcpListen))
                {
                    continue;
                }
                var colon = fields[1].IndexOf(':', StringComparison.Ordinal);
                if (colon < 0
                    || !int.TryParse(fields[1].AsSpan(colon + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var localPort)
                    || localPort != port
                    || ParseAddress(fields[1][..colon]) is not { } local
                    || !Overlaps(local, address)
                    || !long.TryParse(fields[9], NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
                    || inode == 0)
                {
                    continue;
                }
                inodes.Add(inode);
            }
        }
        return inodes;
    }

    /// <summary>
    /// /proc/net prints an address as its 32-bit words in host byte order (little-endian on every
    /// machine this runs on): 0100007F is 127.0.0.1.
    /// </summary>
    internal static IPAddress? ParseAddress(string hex)
    {
        if (hex.Length is not (8 or 32))
        {
            return null;
        }
        var bytes = new byte[hex.Length / 2];
        for (var word = 0; word < hex.Length / 8; word++)
        {
            if (!uint.TryParse(hex.AsSpan(word * 8, 8), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value))
            {
                return null;
            }
            BitConverter.TryWriteBytes(bytes.AsSpan(word * 4, 4), value);
        }
        return new IPAddress(bytes);
    }

    private static bool Overlaps(IPAddress theirs, IPAddress ours)
    {
        static bool IsAny(IPAddress a) => a.Equals(IPAddress.Any) || a.Equals(IPAddress.IPv6Any);
        static IPAddress Plain(IPAddress a) => a.IsIPv4MappedToIPv6 ? a.MapToIPv4() : a;
        return IsAny(theirs) || IsAny(ours) || Plain(theirs).Equals(Plain(ours));
    }

    private static long? SocketInode(string fdLink)
    {
        string? target;
        try
        {
            target = new FileInfo(fdLink).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // The fd was closed meanwhile, or the process is not ours to see.
        }
        return target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && target.EndsWith(']')
            && long.TryParse(target.AsSpan(8, target.Length - 9), NumberStyles.None, CultureInfo.InvariantCulture, out var inode)
            ? inode
            : null;
    }

    /// <summary>The systemd service the process runs in, from the unified cgroup line "0::/system.slice/NAME.service".</summary>
    private static string? ServiceUnit(string pidDirectory)
    {
        var cgroup = ReadTrimmed(Path.Combine(pidDirectory, "cgroup"));
        var path = cgroup?.Split('\n').FirstOrDefault(l => l.StartsWith("0::", StringComparison.Ordinal))?[3..];
        var unit = path?.Split('/').LastOrDefault(s => s.EndsWith(".service", StringComparison.Ordinal));
        return unit?[..^".service".Length];
    }

    private static string? ReadTrimmed(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static List<string> SafeEnumerate(Func<IEnumerable<string>> list)
    {
        try
        {
            return list().ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return []; // A process that exits while we look, or one we may not inspect.
        }
    }
}

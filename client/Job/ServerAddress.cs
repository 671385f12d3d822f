using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace EzioPxe.Client.Job;

/// <summary>Where the eziopxe server's HTTP listens: <c>host[:port]</c>, IPv6 in brackets (<c>[fd00::1]:8080</c>).</summary>
public sealed record ServerAddress(string Host, int Port)
{
    public const int DefaultPort = 80;

    /// <summary>http://host:port/ — the base of /jobs/, /torrents/ and /progress.</summary>
    public Uri BaseUri => new($"http://{HostForUri}:{Port.ToString(CultureInfo.InvariantCulture)}/");

    private string HostForUri => Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;

    public override string ToString() => Port == DefaultPort ? HostForUri : $"{HostForUri}:{Port.ToString(CultureInfo.InvariantCulture)}";

    public static bool TryParse(string text, [NotNullWhen(true)] out ServerAddress? address, [NotNullWhen(false)] out string? error)
    {
        address = null;
        string host;
        string? port = null;
        if (text.Contains("://", StringComparison.Ordinal) || text.EndsWith('/'))
        {
            error = $"'{text}' is a URL; give HOST[:PORT] only, e.g. ezio.server=10.0.0.1:8080";
            return false;
        }
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                error = $"'{text}' has '[' without ']'";
                return false;
            }
            host = text[1..close];
            var rest = text[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    error = $"'{text}' has '{rest}' after the address; expected :PORT";
                    return false;
                }
                port = rest[1..];
            }
            if (Uri.CheckHostName(host) != UriHostNameType.IPv6)
            {
                error = $"'{host}' is not an IPv6 address";
                return false;
            }
        }
        else
        {
            var colon = text.LastIndexOf(':');
            if (colon >= 0 && text.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                error = $"'{text}': write an IPv6 address in brackets, e.g. [{text}]:80";
                return false;
            }
            host = colon < 0 ? text : text[..colon];
            port = colon < 0 ? null : text[(colon + 1)..];
            if (Uri.CheckHostName(host) is not (UriHostNameType.Dns or UriHostNameType.IPv4))
            {
                error = $"'{host}' is not a host name or IPv4 address";
                return false;
            }
        }
        var portNumber = DefaultPort;
        if (port != null && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out portNumber) || portNumber is < 1 or > 65535))
        {
            error = $"'{port}' is not a port number (1-65535)";
            return false;
        }
        address = new ServerAddress(host, portNumber);
        error = null;
        return true;
    }
}

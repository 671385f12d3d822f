using System.Text;

namespace EzioPxe.Server.NetBoot.Tftp;

/// <summary>
/// A parsed read request: RRQ | filename | 0 | mode | 0 | (option | 0 | value | 0)* (RFC 1350, RFC 2347).
/// Option names are kept lower-case; values as sent. Unknown options are kept so the caller can
/// ignore them, as RFC 2347 asks (the server simply leaves them out of its OACK).
/// </summary>
public sealed class TftpReadRequest
{
    /// <summary>RFC 2347 caps the whole request at 512 bytes; we accept a little more from sloppy clients.</summary>
    public const int MaxRequestLength = 1024;

    private TftpReadRequest(string fileName, TftpTransferMode mode, IReadOnlyDictionary<string, string> options)
    {
        FileName = fileName;
        Mode = mode;
        Options = options;
    }

    public string FileName { get; }

    public TftpTransferMode Mode { get; }

    public IReadOnlyDictionary<string, string> Options { get; }

    /// <summary>Parses a read request; on failure returns null and says why in <paramref name="error"/>.</summary>
    public static TftpReadRequest? TryParse(ReadOnlySpan<byte> packet, out string error)
    {
        error = "";
        if (packet.Length < 4 || packet.Length > MaxRequestLength)
        {
            error = $"request of {packet.Length} bytes";
            return null;
        }
        if (packet[0] != 0 || packet[1] != (byte)TftpOpcode.ReadRequest)
        {
            error = "not a read request";
            return null;
        }
        var rest = packet[2..];
        if (!TryReadString(ref rest, out var fileName) || fileName.Length == 0)
        {
            error = "missing file name";
            return null;
        }
        if (!TryReadString(ref rest, out var modeText))
        {
            error = "missing transfer mode";
            return null;
        }
        TftpTransferMode mode;
        switch (modeText.ToLowerInvariant())
        {
            case "octet":
                mode = TftpTransferMode.Octet;
                break;
            case "netascii":
                mode = TftpTransferMode.NetAscii;
                break;
            default:
                error = $"unsupported transfer mode '{modeText}'";
                return null;
        }
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        while (!rest.IsEmpty)
        {
            // Some clients pad the request with trailing zero bytes; tolerate that.
            if (rest.IndexOfAnyExcept((byte)0) < 0)
            {
                break;
            }
            if (!TryReadString(ref rest, out var name) || !TryReadString(ref rest, out var value))
            {
                error = "truncated option";
                return null;
            }
            options[name.ToLowerInvariant()] = value;
        }
        return new TftpReadRequest(fileName, mode, options);
    }

    private static bool TryReadString(ref ReadOnlySpan<byte> rest, out string value)
    {
        var end = rest.IndexOf((byte)0);
        if (end < 0)
        {
            value = "";
            return false;
        }
        // File names are octets on the wire; Latin-1 keeps every byte distinct (no replacement chars).
        value = Encoding.Latin1.GetString(rest[..end]);
        rest = rest[(end + 1)..];
        return true;
    }
}

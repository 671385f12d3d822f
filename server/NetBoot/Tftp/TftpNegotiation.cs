using System.Globalization;

namespace EzioPxe.Server.NetBoot.Tftp;

/// <summary>
/// The transfer parameters agreed with one client: what the client asked for in its RRQ,
/// clamped to what the server allows. <see cref="AcknowledgedOptions"/> is what goes into the OACK;
/// options we do not know or whose value is unusable are simply left out (RFC 2347).
/// </summary>
public sealed class TftpNegotiation
{
    /// <summary>RFC 1350's fixed block size, used when the client does not ask for blksize.</summary>
    public const int DefaultBlockSize = 512;

    /// <summary>RFC 2348: 8..65464 (65464 = the largest UDP payload over IPv4 minus headers).</summary>
    public const int MinBlockSize = 8;
    public const int MaxBlockSize = 65464;

    public int BlockSize { get; private init; } = DefaultBlockSize;

    public int WindowSize { get; private init; } = 1;

    public TimeSpan Timeout { get; private init; }

    public IReadOnlyList<KeyValuePair<string, string>> AcknowledgedOptions { get; private init; } = [];

    public static TftpNegotiation Negotiate(IReadOnlyDictionary<string, string> requested, long transferSize, TftpServerOptions limits)
    {
        var acknowledged = new List<KeyValuePair<string, string>>();
        var blockSize = DefaultBlockSize;
        var windowSize = 1;
        var timeout = limits.RetransmitTimeout;

        if (requested.TryGetValue("blksize", out var blksizeText) && TryParse(blksizeText, out var blksize) && blksize >= MinBlockSize)
        {
            // RFC 2348: the server may answer with a smaller value than requested, never a larger one.
            blockSize = (int)Math.Min(blksize, Math.Min(MaxBlockSize, limits.MaxBlockSize));
            acknowledged.Add(new("blksize", blockSize.ToString(CultureInfo.InvariantCulture)));
        }
        if (requested.TryGetValue("timeout", out var timeoutText) && TryParse(timeoutText, out var seconds) && seconds >= 1 && seconds <= Math.Min(255, limits.MaxTimeoutSeconds))
        {
            // RFC 2349: the server must accept exactly the requested value or leave the option out;
            // above MaxTimeoutSeconds it is left out and our own timeout applies.
            timeout = TimeSpan.FromSeconds(seconds);
            acknowledged.Add(new("timeout", seconds.ToString(CultureInfo.InvariantCulture)));
        }
        if (requested.TryGetValue("tsize", out var tsizeText) && TryParse(tsizeText, out _))
        {
            // RFC 2349: in a read request the client sends 0 and the server answers with the size.
            acknowledged.Add(new("tsize", transferSize.ToString(CultureInfo.InvariantCulture)));
        }
        if (requested.TryGetValue("windowsize", out var windowText) && TryParse(windowText, out var window) && window is >= 1 and <= 65535)
        {
            // RFC 7440: the server may answer with a smaller window.
            windowSize = (int)Math.Min(window, limits.MaxWindowSize);
            acknowledged.Add(new("windowsize", windowSize.ToString(CultureInfo.InvariantCulture)));
        }
        return new TftpNegotiation
        {
            BlockSize = blockSize,
            WindowSize = windowSize,
            Timeout = timeout,
            AcknowledgedOptions = acknowledged,
        };
    }

    private static bool TryParse(string text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
}

using System.Globalization;
using System.Net;
using System.Text;
using EzioPxe.Engine.Bencode;

namespace EzioPxe.Engine.Tracker;

/// <summary>HTTP announces (BEP 3) asking for compact peer lists (BEP 23).</summary>
public sealed class HttpTrackerClient(HttpClient http)
{
    /// <summary>Trackers answer in a few hundred bytes; anything huge is not a tracker.</summary>
    private const int MaxResponseBytes = 4 * 1024 * 1024;

    public async Task<AnnounceResponse> AnnounceAsync(string announceUrl, AnnounceRequest request, CancellationToken cancellationToken)
    {
        var url = BuildUrl(announceUrl, request);
        using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new TrackerException($"tracker {announceUrl} answered HTTP {(int)response.StatusCode}");
        }
        var body = await ReadLimitedAsync(response.Content, cancellationToken);
        return ParseResponse(body);
    }

    public static string BuildUrl(string announceUrl, AnnounceRequest request)
    {
        var query = new StringBuilder(announceUrl);
        query.Append(announceUrl.Contains('?', StringComparison.Ordinal) ? '&' : '?');
        query.Append("info_hash=").Append(PercentEncode(request.InfoHash.Span));
        query.Append("&peer_id=").Append(PercentEncode(request.PeerId));
        query.Append(CultureInfo.InvariantCulture, $"&port={request.Port}&uploaded={request.Uploaded}&downloaded={request.Downloaded}&left={request.Left}");
        query.Append(CultureInfo.InvariantCulture, $"&compact=1&numwant={request.NumWant}");
        if (request.Event != TrackerEvent.None)
        {
            query.Append("&event=").Append(request.Event.ToString().ToLowerInvariant());
        }
        return query.ToString();
    }

    /// <summary>Percent-encodes raw bytes; unreserved characters stay as they are (RFC 3986).</summary>
    public static string PercentEncode(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder(bytes.Length * 3);
        foreach (var b in bytes)
        {
            if (b is >= (byte)'a' and <= (byte)'z' or >= (byte)'A' and <= (byte)'Z' or >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'.' or (byte)'_' or (byte)'~')
            {
                text.Append((char)b);
            }
            else
            {
                text.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
            }
        }
        return text.ToString();
    }

    public static AnnounceResponse ParseResponse(ReadOnlyMemory<byte> body)
    {
        BDictionary root;
        try
        {
            root = BencodeParser.Parse(body) as BDictionary ?? throw new TrackerException("tracker response is not a dictionary");
        }
        catch (BencodeException e)
        {
            throw new TrackerException("tracker response is not bencoded: " + e.Message, e);
        }
        if (root.GetString("failure reason") is BString failure)
        {
            throw new TrackerException("tracker refused: " + failure.Text);
        }
        var interval = root.GetInteger("interval")?.Value ?? 60;
        var minInterval = root.GetInteger("min interval")?.Value;
        var peers = new List<IPEndPoint>();
        switch (root["peers"])
        {
            case BString compact:
                peers.AddRange(CompactPeers.Parse(compact.Bytes.Span, ipv6: false));
                break;
            case BList list:
                foreach (var item in list.Items.OfType<BDictionary>())
                {
                    if (IPAddress.TryParse(item.GetString("ip")?.Text, out var address) && item.GetInteger("port")?.Value is long port and > 0 and < 65536)
                    {
                        peers.Add(new IPEndPoint(address, (int)port));
                    }
                }
                break;
        }
        if (root.GetString("peers6") is BString compact6)
        {
            peers.AddRange(CompactPeers.Parse(compact6.Bytes.Span, ipv6: true));
        }
        return new AnnounceResponse(
            TimeSpan.FromSeconds(Math.Clamp(interval, 1, 3600)),
            minInterval is long m ? TimeSpan.FromSeconds(Math.Clamp(m, 1, 3600)) : null,
            peers,
            (int?)root.GetInteger("complete")?.Value,
            (int?)root.GetInteger("incomplete")?.Value,
            root.GetString("warning message")?.Text);
    }

    private static async Task<byte[]> ReadLimitedAsync(HttpContent content, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var memory = new MemoryStream();
        var buffer = new byte[16 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            memory.Write(buffer, 0, read);
            if (memory.Length > MaxResponseBytes)
            {
                throw new TrackerException($"tracker response larger than {MaxResponseBytes} bytes");
            }
        }
        return memory.ToArray();
    }
}

using System.Globalization;
using System.Text;
using EzioPxe.Engine.Bencode;

namespace EzioPxe.Server.Tests.Tracker;

/// <summary>Raw HTTP announces and scrapes, percent-encoding bytes the way BitTorrent clients do.</summary>
internal static class TrackerClient
{
    public static string Escape(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder();
        foreach (var b in bytes)
        {
            text.Append(char.IsAsciiLetterOrDigit((char)b) ? ((char)b).ToString() : "%" + b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    public static byte[] PeerId(int n) => Encoding.ASCII.GetBytes($"-TT0001-{n:D12}");

    public static string Query(ReadOnlySpan<byte> infoHash, byte[] peerId, int port, long left, string? trackerEvent = null, string extra = "") =>
        $"info_hash={Escape(infoHash)}&peer_id={Escape(peerId)}&port={port}&uploaded=0&downloaded=0&left={left}&compact=1"
        + (trackerEvent == null ? "" : "&event=" + trackerEvent) + extra;

    public static async Task<BDictionary> GetAsync(HttpClient http, string pathAndQuery)
    {
        using var response = await http.GetAsync(pathAndQuery);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsByteArrayAsync();
        return (BDictionary)BencodeParser.Parse(body);
    }

    /// <summary>The (address, port) pairs of a compact "peers" string.</summary>
    public static List<(string Address, int Port)> Peers(BDictionary response)
    {
        var bytes = response.GetString("peers")!.Bytes.Span;
        Assert.Equal(0, bytes.Length % 6);
        var peers = new List<(string, int)>();
        for (var i = 0; i < bytes.Length; i += 6)
        {
            peers.Add(($"{bytes[i]}.{bytes[i + 1]}.{bytes[i + 2]}.{bytes[i + 3]}", bytes[i + 4] << 8 | bytes[i + 5]));
        }
        return peers;
    }

    public static string? Failure(BDictionary response) => response.GetString("failure reason")?.Text;
}

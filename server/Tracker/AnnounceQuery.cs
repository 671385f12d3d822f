using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Tracker;

namespace EzioPxe.Server.Tracker;

/// <summary>One announce (BEP 3), checked: every field a tracker needs is present and in range.</summary>
public sealed record AnnounceQuery(
    InfoHash InfoHash,
    byte[] PeerId,
    int Port,
    long Uploaded,
    long Downloaded,
    long Left,
    TrackerEvent Event,
    int? NumWant,
    bool Compact,
    bool NoPeerId)
{
    /// <summary>The peer id as hex: a dictionary key that survives any byte values.</summary>
    public string PeerKey => Convert.ToHexStringLower(PeerId);

    public static bool TryParse(ReadOnlySpan<char> query, [NotNullWhen(true)] out AnnounceQuery? announce, [NotNullWhen(false)] out string? error)
    {
        announce = null;
        var parameters = QueryParameters.Parse(query, out error);
        if (parameters == null)
        {
            error ??= "malformed query";
            return false;
        }
        var infoHash = parameters.Get("info_hash");
        if (infoHash == null)
        {
            error = "missing info_hash";
            return false;
        }
        if (infoHash.Length != InfoHash.Length)
        {
            error = $"info_hash is {infoHash.Length} bytes, not 20";
            return false;
        }
        var peerId = parameters.Get("peer_id");
        if (peerId == null)
        {
            error = "missing peer_id";
            return false;
        }
        if (peerId.Length != 20)
        {
            error = $"peer_id is {peerId.Length} bytes, not 20";
            return false;
        }
        if (!TryNumber(parameters, "port", required: true, out var port, out error))
        {
            return false;
        }
        if (port is < 1 or > 65535)
        {
            error = $"port {port} is not 1-65535";
            return false;
        }
        if (!TryNumber(parameters, "uploaded", required: false, out var uploaded, out error)
            || !TryNumber(parameters, "downloaded", required: false, out var downloaded, out error)
            || !TryNumber(parameters, "left", required: true, out var left, out error))
        {
            return false;
        }
        int? numWant = null;
        if (parameters.Get("numwant") != null)
        {
            if (!TryNumber(parameters, "numwant", required: true, out var wanted, out error))
            {
                return false;
            }
            numWant = (int)Math.Min(wanted, int.MaxValue);
        }
        TrackerEvent trackerEvent;
        switch (parameters.GetText("event"))
        {
            case null or "" or "empty" or "paused":
                trackerEvent = TrackerEvent.None;
                break;
            case "started":
                trackerEvent = TrackerEvent.Started;
                break;
            case "completed":
                trackerEvent = TrackerEvent.Completed;
                break;
            case "stopped":
                trackerEvent = TrackerEvent.Stopped;
                break;
            case var other:
                error = $"event '{other}' is not started, completed, stopped or empty";
                return false;
        }
        // BEP 23: compact is what every client wants; only an explicit compact=0 gets the BEP 3 list of dictionaries.
        var compact = parameters.GetText("compact") != "0";
        var noPeerId = parameters.GetText("no_peer_id") == "1";
        announce = new AnnounceQuery(new InfoHash(infoHash), peerId, (int)port, uploaded, downloaded, left, trackerEvent, numWant, compact, noPeerId);
        return true;
    }

    private static bool TryNumber(QueryParameters parameters, string name, bool required, out long value, [NotNullWhen(false)] out string? error)
    {
        value = 0;
        error = null;
        var bytes = parameters.Get(name);
        if (bytes == null)
        {
            if (required)
            {
                error = $"missing {name}";
                return false;
            }
            return true;
        }
        if (bytes.Length == 0 || !Utf8Parser.TryParse(bytes, out value, out var consumed) || consumed != bytes.Length || value < 0)
        {
            error = $"{name} '{System.Text.Encoding.ASCII.GetString(bytes)}' is not a non-negative whole number";
            return false;
        }
        return true;
    }
}

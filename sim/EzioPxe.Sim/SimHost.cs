using System.Net;
using EzioPxe.Engine.Swarm;

namespace EzioPxe.Sim;

/// <summary>One machine on the simulated LAN: its session, its address, its link (the same rate both ways).</summary>
internal sealed class SimHost(int index, IPEndPoint endPoint, TorrentSession session, double bytesPerMicrosecond, bool supportsFast)
{
    public int Index { get; } = index;

    public IPEndPoint EndPoint { get; } = endPoint;

    public TorrentSession Session { get; } = session;

    /// <summary>Payload bytes its link carries per microsecond each way (the link rate less the frames' headers).</summary>
    public double BytesPerMicrosecond { get; } = bytesPerMicrosecond;

    /// <summary>Whether its handshake offers the Fast extension (false: a client like rtorrent's).</summary>
    public bool SupportsFast { get; } = supportsFast;

    /// <summary>Next ephemeral port for connections it dials.</summary>
    public int NextPort { get; set; } = 40000;

    /// <summary>Seconds from the go until its last piece was verified; null while incomplete.</summary>
    public double? CompletedAt { get; set; }

    public int PiecesDone { get; set; }

    /// <summary>How often its uplink and downlink were congested lately (0 to 1, averaged over about 100 ms): the share of the shaper's queue a message waits behind.</summary>
    internal double UpBusy;
    internal double DownBusy;

    // Scratch of the network's allocation, per step.
    internal bool UpCongested;
    internal bool DownCongested;
    internal double UpLeft;

    /// <summary>With <see cref="UplinkSharing.OldestFirst"/>: this step's connection whose next block waited longest.</summary>
    internal SimConnection? Oldest;
    internal double DownLeft;
    internal int UpFlows;
    internal double DownDemand;

    // Scratch of the trace (SimTrace), per step.
    internal int TraceFlows;
    internal double TraceQueued;
}

namespace EzioPxe.Sim;

/// <summary>One simulated room: its size, its links, the image, the delays, the seed.</summary>
internal sealed record SimSettings
{
    public int Machines { get; init; } = 8;

    /// <summary>Every host's link rate, each way (the netns bench's htb rate B).</summary>
    public double LinkMbit { get; init; } = 100;

    public long ImageBytes { get; init; } = 256L << 20;

    public int PieceLength { get; init; } = 256 << 10;

    /// <summary>
    /// The clients' download memory and read cache: by default 48 and 24 MiB, what the client
    /// takes for pieces up to 512 KiB (client/Deployment/PieceMemory.cs: 96 and 48 pieces, at
    /// least these; give `--client-memory` for larger pieces). A small
    /// image stands for a large one only with these cut in proportion: with all of an image fitting
    /// in the download memory, a client starts every piece early and spends most of the transfer
    /// in end-game.
    /// </summary>
    public long ClientDownloadMemory { get; init; } = 48L << 20;

    public long ClientReadCacheMemory { get; init; } = 24L << 20;

    /// <summary>One-way delay of a message after its last byte left the sender.</summary>
    public double LatencyMilliseconds { get; init; } = 0.5;

    /// <summary>What a busy link's shaper queue adds to a message's delay (see SimNetwork.Queue).</summary>
    public double QueueMilliseconds { get; init; } = 10;

    /// <summary>The network's time step.</summary>
    public int StepMicroseconds { get; init; } = 1000;

    /// <summary>
    /// Ethernet frame bytes per TCP payload byte on the shaped links: 1514 / 1448 (MSS with TCP
    /// timestamps); htb counts whole frames.
    /// </summary>
    public double FrameOverhead { get; init; } = 1514.0 / 1448.0;

    /// <summary>Each client's session starts this long after the go, uniformly between the two (its job, torrent and first announce).</summary>
    public double StartFirstSeconds { get; init; } = 0.3;

    public double StartLastSeconds { get; init; } = 0.6;

    /// <summary>Clients whose handshake lacks the Fast extension (rtorrent, ctorrent): they start empty and send no bitfield.</summary>
    public int ClientsWithoutFast { get; init; }

    /// <summary>Pieces super-seeding shows one peer at a time (SessionOptions.SuperSeedingPiecesPerPeer).</summary>
    public int? SuperSeedingPiecesPerPeer { get; init; }

    /// <summary>Pieces super-seeding sends at once over all peers (SessionOptions.SuperSeedingPiecesInFlight; 0: no limit).</summary>
    public int? SuperSeedingPiecesInFlight { get; init; }

    public bool SuperSeeding { get; init; } = true;

    public int Seed { get; init; } = 1;

    /// <summary>Print where the time went (SimTrace) after the run.</summary>
    public bool Trace { get; init; }

    /// <summary>When (in S/B) to note each machine's pieces and peers (SimSnapshots).</summary>
    public IReadOnlyList<double> Snapshots { get; init; } = [];

    /// <summary>At this many seconds from the go, print each unfinished machine's missing pieces and downloads.</summary>
    public double? MissingAtSeconds { get; init; }

    /// <summary>Overrides of the clients' SessionOptions, to measure a lever before changing its default (null: the engine's default).</summary>
    public int? MaxUnchoked { get; init; }

    public int? MinRequestQueue { get; init; }

    /// <summary>How many peers a client dials, and how many more may dial it.</summary>
    public int? MaxConnections { get; init; }

    public int? IncomingSlack { get; init; }

    /// <summary>Whether a full client session makes room for a peer that dials it (the engine's default: yes).</summary>
    public bool RoomForNewcomers { get; init; } = true;

    public int? UploadTurnPieces { get; init; }

    /// <summary>How links divide their rate (fair: TCP; the others measure issue 16's next lever before it is built).</summary>
    public UplinkSharing Uplinks { get; init; }

    /// <summary>
    /// Each connection sends its control messages (have, request, cancel, choke...) ahead of the
    /// blocks it has queued, as an engine would with two send queues and the socket's unsent bytes
    /// kept low (TCP_NOTSENT_LOWAT); otherwise one queue in order, as now.
    /// </summary>
    public bool ControlFirst { get; init; }

    /// <summary>Give up after this many times S/B of virtual time.</summary>
    public double TimeLimitFactor { get; init; } = 10;

    public double ImageSeconds => ImageBytes * 8 / (LinkMbit * 1e6);

    public string Describe() =>
        $"N={Machines}, {LinkMbit:0.##} Mbit, {ImageBytes >> 20} MiB, {PieceLength >> 10} KiB pieces"
        + (ClientDownloadMemory != 48L << 20 || ClientReadCacheMemory != 24L << 20 ? $", client memory {ClientDownloadMemory / 1024} + {ClientReadCacheMemory / 1024} KiB" : "")
        + $", latency {LatencyMilliseconds} ms + up to {QueueMilliseconds} ms per busy link, seed {Seed}"
        + (ClientsWithoutFast > 0 ? $", {ClientsWithoutFast} clients without Fast" : "")
        + (SuperSeeding ? "" : ", no super-seeding")
        + (SuperSeedingPiecesInFlight is int f ? $", {f} pieces in flight from the origin" : "")
        + (MaxUnchoked is int u ? $", {u} unchoked" : "")
        + (MaxConnections is int d ? $", {d} dialled + {IncomingSlack} more accepted" : "")
        + (RoomForNewcomers ? "" : ", full sessions refuse newcomers")
        + (UploadTurnPieces is int t ? $", upload turns of {t} pieces" : "")
        + (MinRequestQueue is int q ? $", request queue from {q}" : "")
        + (Uplinks != UplinkSharing.Fair ? $", uplinks {Uplinks}" : "")
        + (ControlFirst ? ", control messages first" : "");
}

namespace EzioPxe.Engine.Swarm;

/// <summary>
/// Tuning of one torrent session. The defaults are for a private LAN swarm: deep request pipelines
/// and, in a room of up to 16, every peer unchoked (EZIO's and libtorrent's LAN advice); in a larger
/// room 16 at a time in turns (issue 16, measured in the swarm simulator).
/// </summary>
public sealed record SessionOptions
{
    /// <summary>Our 20-byte peer id; a random "-EZ0100-" id when null.</summary>
    public byte[]? PeerId { get; init; }

    /// <summary>The TCP port our listener accepts on, announced to the tracker (0: we accept nothing).</summary>
    public int ListenPort { get; init; }

    /// <summary>What to believe about the storage's contents at start.</summary>
    public ExistingData ExistingData { get; init; } = ExistingData.Check;

    /// <summary>How many peers we dial; peers that dial us may take <see cref="IncomingSlack"/> more.</summary>
    public int MaxConnections { get; init; } = 60;

    /// <summary>Connections beyond <see cref="MaxConnections"/> kept for peers that dial us.</summary>
    public int IncomingSlack { get; init; } = 10;

    /// <summary>
    /// Connections from one address at once. On a LAN each machine is one address and needs one
    /// connection; the cap keeps one hostile host from taking the session's slots.
    /// </summary>
    public int MaxConnectionsPerAddress { get; init; } = 4;

    /// <summary>
    /// A peer that has neither asked us for a block nor sent us one for this long is idle; when the
    /// session is full, the idlest such peer makes room for a newcomer.
    /// </summary>
    public TimeSpan PeerIdleTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// When full and nobody is idle, a newcomer takes the place of a peer that has been connected for
    /// at least <see cref="CycleAfter"/> (the one holding the most pieces, which can best finish from
    /// others). For the origin: a room larger than its connection cap is served in turns instead of
    /// the first machines keeping every slot.
    /// </summary>
    public bool CycleWhenFull { get; init; }

    /// <summary>With <see cref="CycleWhenFull"/>: how long a peer keeps its slot before it may be cycled out.</summary>
    public TimeSpan CycleAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Address our outgoing connections come from; null lets the kernel choose.</summary>
    public System.Net.IPAddress? LocalAddress { get; init; }

    /// <summary>
    /// How many interested peers may download from us at once; with more waiting they take turns
    /// (<see cref="UploadTurnPieces"/>), without turns those waiting are rotated in every 15 s.
    /// 16: a room of up to 16 machines has every peer unchoked as before (the LAN advice); in a
    /// larger one an uplink split 60 ways passes each piece on at 1/60 of the link (issue 16, the
    /// simulator in docs/benchmarks.md). Not while super-seeding: the origin unchokes everyone.
    /// </summary>
    public int MaxUnchoked { get; init; } = 16;

    /// <summary>
    /// Upload turns: with interested peers waiting, a peer that has been sent this many pieces'
    /// worth since it was unchoked is choked and the one waiting longest unchoked (0: no turns,
    /// only the 15 s rotation). See TorrentSession.UploadTurns.cs. Measured in the simulator (N = 100,
    /// 16 pieces in flight from the origin, slowest machine): no turns 3.31 S/B; 4 slots with
    /// one-piece turns 2.68 (and small rooms slower: pieces half-fetched from several peers fill the
    /// download memory); 8 slots, 4 pieces 2.66; 16 slots, 2 pieces 2.35, small rooms unchanged.
    /// </summary>
    public int UploadTurnPieces { get; init; } = 2;

    /// <summary>Memory for pieces being downloaded (each held whole until its hash is checked).</summary>
    public long DownloadMemory { get; init; } = 128L * 1024 * 1024;

    /// <summary>Memory for whole pieces kept to answer block requests without a storage read per block.</summary>
    public long ReadCacheMemory { get; init; } = 64L * 1024 * 1024;

    /// <summary>
    /// Fewest requests kept outstanding with a peer whose rate is measured, before the rate (a
    /// second's worth) says more are needed. Null (the default): one piece's blocks, from 16 to
    /// 64, so 16 for the 256 KiB pieces of images under 1 GiB and 64, as before, for pieces of
    /// 1 MiB and more. Until a peer's rate is measured (its first second of data) the floor is 64,
    /// as it was for every peer: a lone machine on a fast link must not start at one piece per
    /// round trip (simulator: 1.165 S/B instead of 1.07). With 64 blocks asked of every peer, a busy
    /// uploader held 0.6-1 MiB queued and a block waited a quarter of a second for its turn
    /// (simulator, N = 100); one piece's worth keeps a peer's requests where they are served now
    /// (netns, 256 KiB pieces: N = 16 1.26-1.28 -> 1.23 S/B, N = 32 1.58-1.60 -> 1.52).
    /// Fewer than 64 made 4 MiB pieces slower (docs/benchmarks.md, sim).
    /// </summary>
    public int? MinRequestQueue { get; init; }

    /// <summary>Most requests outstanding per peer (further bounded by the peer's "reqq").</summary>
    public int MaxRequestQueue { get; init; } = 1000;

    /// <summary>How many seconds of the peer's rate the request queue should cover (libtorrent's request_queue_time).</summary>
    public double RequestQueueSeconds { get; init; } = 1.0;

    /// <summary>"reqq" we announce: how many requests from one peer we queue before refusing.</summary>
    public int MaxIncomingRequests { get; init; } = 4000;

    /// <summary>Kernel socket buffer sizes; 0 leaves Linux's autotuning in charge.</summary>
    public int SocketBufferSize { get; init; }

    /// <summary>Hash failures after which a peer is dropped and not connected to again.</summary>
    public int MaxHashFailures { get; init; } = 3;

    /// <summary>Announce interval when the tracker gives none.</summary>
    public TimeSpan DefaultAnnounceInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A peer with requests outstanding that sends nothing for this long loses them to other peers.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Whether a complete session still dials peers it hears of (they may need what it has).</summary>
    public bool ConnectWhenSeeding { get; init; } = true;

    /// <summary>
    /// Origin seeding (BEP 16 super-seeding): show each peer only a few pieces at a time, chosen so
    /// that every piece leaves the origin about once and peers spread it among themselves. Once every
    /// piece has been sent whole, the seed shows everything like an ordinary seed.
    /// </summary>
    public bool SuperSeeding { get; init; }

    /// <summary>With <see cref="SuperSeeding"/>: pieces shown to one peer and not yet downloaded by it.</summary>
    public int SuperSeedingPiecesPerPeer { get; init; } = 3;

    /// <summary>
    /// With <see cref="SuperSeeding"/>: pieces shown and not yet sent whole, over all peers (0: no
    /// limit beyond <see cref="SuperSeedingPiecesPerPeer"/> per peer). The origin's uplink is
    /// shared among the pieces it is sending: shown 3 at a time to each of 70 peers, a small
    /// image leaves all at once, each piece at a sliver of the link, and in the simulator no piece was
    /// whole anywhere for the first 0.3 S/B while the machines' uplinks idled (N = 100). A bounded
    /// number at a time, pieces are whole sooner and passed on while the origin sends the next.
    /// 16, not 2 to 4: each piece's recipient also receives from the mesh, and with few in flight
    /// the origin's uplink idled (62 % busy at N = 10 with 2). Works with upload turns
    /// (<see cref="UploadTurnPieces"/>); alone it did not help. Rooms up to 16 are unchanged.
    /// </summary>
    public int SuperSeedingPiecesInFlight { get; init; } = 16;

    /// <summary>
    /// The clock of the session's timeouts, rates and rotations; null (every real session) is the
    /// system's tick count. The swarm simulator passes virtual time.
    /// </summary>
    internal TimeProvider? Clock { get; init; }

    /// <summary>
    /// Where piece buffers come from; null (every real session) is a pool of the session's own.
    /// The simulator, whose image is all zeros, passes one that hands every session the same buffer,
    /// so that a room of a thousand fits in memory; what the session counts and caps is unchanged.
    /// </summary>
    internal Pieces.PieceBufferPool? BufferPool { get; init; }

    /// <summary>
    /// Whether a full session takes a peer that dials it in place of one of its peers that sends
    /// it nothing (TorrentSession.RoomForNewcomers.cs). Always on in real sessions; the simulator turns it off
    /// to measure what it is worth.
    /// </summary>
    internal bool MakeRoomForNewcomers { get; init; } = true;

    /// <summary>Seed of the piece picker's randomness; null (every real session) is a random one. The simulator's runs repeat with it.</summary>
    internal int? RandomSeed { get; init; }

    /// <summary>Client name in the extension handshake.</summary>
    public string ClientName { get; init; } = "EzioPxe 0.1";
}

/// <summary>How a session treats what the storage already holds.</summary>
public enum ExistingData
{
    /// <summary>Nothing is there; download everything (a fresh, blank target).</summary>
    None,

    /// <summary>Hash every piece in the background while downloading the ones found missing (re-imaging).</summary>
    Check,

    /// <summary>Everything is there and correct (an origin seeder that made the torrent from this data).</summary>
    Complete,
}

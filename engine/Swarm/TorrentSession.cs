using System.Net;
using System.Security.Cryptography;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Pieces;
using EzioPxe.Engine.Storage;
using EzioPxe.Engine.Tracker;
using EzioPxe.Engine.Wire;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EzioPxe.Engine.Swarm;

/// <summary>
/// One torrent in the swarm: downloads what is missing into the storage and seeds what it has.
/// All swarm state is guarded by one lock (<see cref="_lock"/>); network I/O, hashing and storage
/// I/O happen outside it.
/// </summary>
public sealed partial class TorrentSession : IPeerAcceptor, IAsyncDisposable
{
    private readonly object _lock = new();
    private readonly IPieceStorage _storage;
    private readonly ILogger _logger;
    private readonly BitField _have;
    private readonly PiecePicker _picker;
    private readonly PieceCache _cache;
    private readonly UploadQueue _uploads;
    private readonly PieceBufferPool _pool;
    private readonly List<SwarmPeer> _peers = new();
    private readonly Dictionary<IPEndPoint, KnownPeer> _known = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _completed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<BlockRequest> _scratch = new();
    private readonly RateMeter _download;
    private readonly RateMeter _upload;
    private readonly TimeProvider? _clock;
    private readonly int _maxActivePieces;

    /// <summary>The request queue's floor per peer (<see cref="SessionOptions.MinRequestQueue"/>).</summary>
    private readonly int _minRequestQueue;
    private readonly int _maxMessageLength;
    private readonly List<Task> _background = new();
    private int _activeBuffers;
    private long _wasted;
    private int _hashFailures;
    private bool _started;
    private int _finishing;

    public TorrentSession(Torrent torrent, IPieceStorage storage, SessionOptions? options = null, ILogger? logger = null)
    {
        Torrent = torrent;
        _storage = storage;
        Options = options ?? new SessionOptions();
        _logger = logger ?? NullLogger.Instance;
        _clock = Options.Clock;
        if (_clock != null && _clock.TimestampFrequency < 1000)
        {
            throw new ArgumentException("the session's clock must count at least milliseconds", nameof(options));
        }
        _download = new RateMeter(Now);
        _upload = new RateMeter(Now);
        _lastRotationTicks = Now();
        PeerId = Options.PeerId ?? Peers.PeerId.Create();
        var info = torrent.Info;
        _have = new BitField(info.PieceCount);
        _picker = new PiecePicker(_have, info.GetPieceSize, Options.RandomSeed is int seed ? new Random(seed) : null);
        _minRequestQueue = Options.MinRequestQueue ?? Math.Clamp((info.PieceLength + PieceDownload.BlockSize - 1) / PieceDownload.BlockSize, 16, 64);
        _maxActivePieces = (int)Math.Clamp(Options.DownloadMemory / info.PieceLength, 2, 100_000);
        var cachePieces = (int)Math.Clamp(Options.ReadCacheMemory / info.PieceLength, 1, 100_000);
        _pool = Options.BufferPool ?? new PieceBufferPool(Math.Max(info.PieceLength, 16), _maxActivePieces + cachePieces + 4);
        _cache = new PieceCache(storage, info.GetPieceSize, _pool, cachePieces);
        _uploads = new UploadQueue(_cache, _logger);
        _timesRevealed = new int[info.PieceCount];
        _bytesSent = new long[info.PieceCount];
        _maxMessageLength = Math.Max(PeerMessageParser.MaxBlockLength + 9, Math.Max(_have.Bytes.Length + 1, 256 * 1024));
        Tracker = new TrackerAnnouncer(this, _logger);
    }

    public Torrent Torrent { get; }

    public InfoHash InfoHash => Torrent.InfoHash;

    public SessionOptions Options { get; }

    public byte[] PeerId { get; }

    /// <summary>Completes when every piece is verified and written; faults if the storage fails.</summary>
    public Task Completion => _completed.Task;

    /// <summary>Raised (outside the session lock) after a piece was verified and written.</summary>
    public event Action<int>? PieceCompleted;

    internal TrackerAnnouncer Tracker { get; }

    internal CancellationToken Stopping => _stop.Token;

    /// <summary>Milliseconds on the session's clock: the system's tick count, or virtual time in the swarm simulator.</summary>
    internal long Now() => _clock == null ? Environment.TickCount64 : _clock.GetTimestamp() / (_clock.TimestampFrequency / 1000);

    /// <summary>Starts the background work: checking existing data, announcing, connecting, the once-a-second tick.</summary>
    public Task StartAsync()
    {
        lock (_lock)
        {
            if (_started)
            {
                throw new InvalidOperationException("session already started");
            }
            _started = true;
            switch (Options.ExistingData)
            {
                case ExistingData.Complete:
                    _have.SetAll();
                    _picker.RefreshAll();
                    break;
                case ExistingData.Check:
                    _picker.MarkAllUnchecked();
                    _background.Add(Task.Run(CheckExistingAsync));
                    break;
            }
        }
        if (_have.IsComplete)
        {
            _completed.TrySetResult();
        }
        _background.Add(Task.Run(TickLoopAsync));
        _background.Add(Task.Run(() => _uploads.RunAsync(_stop.Token)));
        if (Torrent.Trackers.Count > 0)
        {
            _background.Add(Task.Run(() => Tracker.RunAsync(_stop.Token)));
        }
        return Task.CompletedTask;
    }

    /// <summary>Adds an address to connect to (besides those the tracker gives).</summary>
    public void AddPeer(IPEndPoint endPoint)
    {
        lock (_lock)
        {
            Remember(endPoint);
        }
        ConnectMore();
    }

    public SessionStatus GetStatus()
    {
        lock (_lock)
        {
            return new SessionStatus(_have.Count, _have.Length, Torrent.Info.TotalLength, BytesHave(),
                _download.Total, _upload.Total, _download.Rate, _upload.Rate, _peers.Count, _wasted, _hashFailures, _picker.Unchecked.Count);
        }
    }

    /// <summary>Connected peers, for status displays.</summary>
    public IReadOnlyList<string> DescribePeers()
    {
        lock (_lock)
        {
            return _peers.Select(p => p.Describe()).ToList();
        }
    }

    /// <summary>Bytes still missing: the tracker's "left".</summary>
    internal long BytesLeft()
    {
        lock (_lock)
        {
            return Torrent.Info.TotalLength - BytesHave();
        }
    }

    private long BytesHave()
    {
        var info = Torrent.Info;
        long bytes = (long)_have.Count * info.PieceLength;
        if (info.PieceCount > 0 && _have[info.PieceCount - 1])
        {
            bytes -= info.PieceLength - info.GetPieceSize(info.PieceCount - 1);
        }
        return bytes;
    }

    internal Handshake OurHandshake => new(InfoHash, PeerId, SupportsExtensions: true, SupportsFast: true);

    Handshake IPeerAcceptor.OurHandshake => OurHandshake;

    /// <summary>Called by the listener with a connection whose handshake named our info-hash.</summary>
    void IPeerAcceptor.AttachIncoming(PeerConnection connection) => Attach(connection, endPoint: null);

    /// <summary>
    /// Admits a handshaken connection (dialled by us when <paramref name="endPoint"/> is set) and,
    /// over TCP, starts its loops. Returns the peer, or null when refused (the connection is closed).
    /// </summary>
    private SwarmPeer? Attach(IPeerTransport connection, IPEndPoint? endPoint)
    {
        string? refused;
        SwarmPeer? evicted;
        var peer = new SwarmPeer(this, connection, Now);
        lock (_lock)
        {
            refused = Admit(peer, endPoint, out evicted);
            if (refused == null)
            {
                // The evicted peer leaves the swarm state in Detach, once its loops have ended: its
                // read loop may still hand us messages (and requests may be made to it) until then.
                evicted?.Close();
                _peers.Add(peer);
                SendOpening(peer);
            }
        }
        if (refused != null)
        {
            _logger.LogDebug("{Torrent}: refused {Peer}: {Reason}", Torrent.Info.Name, connection.Describe(), refused);
            if (endPoint != null)
            {
                Detach(peer, endPoint);
                if (refused == AlreadyConnected)
                {
                    lock (_lock)
                    {
                        if (_known.TryGetValue(endPoint, out var known))
                        {
                            known.RetryAfterTicks = Now() + AlreadyConnectedRetryMilliseconds;
                        }
                    }
                }
            }
            if (connection is PeerConnection tcp)
            {
                _ = tcp.DisposeAsync().AsTask();
            }
            else
            {
                connection.Close();
            }
            return null;
        }
        if (evicted != null)
        {
            _logger.LogDebug("{Torrent}: session full; {Peer} makes room for {Newcomer}", Torrent.Info.Name, evicted.Describe(), connection.Describe());
        }
        _logger.LogDebug("{Torrent}: connected to {Peer}", Torrent.Info.Name, connection.Describe());
        if (connection is PeerConnection socket)
        {
            _ = Task.Run(() => RunPeerAsync(peer, socket, endPoint));
        }
        return peer;
    }

    private void SendOpening(SwarmPeer peer)
    {
        if (InSuperSeedMode)
        {
            // A newcomer has fetched nothing yet: the stall clock of the reveals starts with it.
            _lastSuperSeedSendTicks = Math.Max(_lastSuperSeedSendTicks, Now());
            SendOpeningAsSuperSeed(peer);
            return;
        }
        if (peer.SupportsExtensions)
        {
            var handshake = new ExtensionHandshake(Options.ClientName, Options.ListenPort > 0 ? Options.ListenPort : null, Options.MaxIncomingRequests);
            peer.Send(Outgoing.Extended(0, handshake.Encode()));
        }
        if (peer.SupportsFast && _have.Count == 0)
        {
            peer.Send(Outgoing.Simple(MessageId.HaveNone));
        }
        else if (peer.SupportsFast && _have.IsComplete)
        {
            peer.Send(Outgoing.Simple(MessageId.HaveAll));
        }
        else if (_have.Count > 0)
        {
            peer.Send(Outgoing.Bitfield(_have.Bytes.ToArray()));
        }
    }

    private async Task RunPeerAsync(SwarmPeer peer, PeerConnection connection, IPEndPoint? endPoint)
    {
        string reason = "closed by peer";
        try
        {
            await connection.RunAsync(peer, _maxMessageLength);
        }
        catch (OperationCanceledException)
        {
            reason = "closed";
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or PeerProtocolException or ObjectDisposedException)
        {
            reason = e.Message;
        }
        catch (Exception e)
        {
            // A bug of ours, not the peer's fault: say so loudly, but keep the session alive.
            reason = e.ToString();
            _logger.LogError(e, "{Torrent}: unexpected error with {Peer}", Torrent.Info.Name, peer.Describe());
        }
        finally
        {
            Detach(peer, endPoint);
            await connection.DisposeAsync();
        }
        _logger.LogDebug("{Torrent}: {Peer} gone: {Reason}", Torrent.Info.Name, peer.Describe(), reason);
        ConnectMore();
    }

    private void Detach(SwarmPeer peer, IPEndPoint? endPoint)
    {
        lock (_lock)
        {
            if ((endPoint ?? peer.ListenEndPoint) is { } dialable && _known.TryGetValue(dialable, out var known))
            {
                known.Connected = false;
                known.RetryAfterTicks = Now() + 5000;
            }
            if (!Forget(peer))
            {
                return;
            }
        }
        RequestMoreForAll();
    }

    /// <summary>Removes a peer from the swarm state: its pieces from the availability, its requests back to the picker.</summary>
    private bool Forget(SwarmPeer peer)
    {
        if (!_peers.Remove(peer))
        {
            return false;
        }
        if (peer.PeerHave != null)
        {
            _picker.AddAvailability(peer.PeerHave, -1);
        }
        ReleaseRequests(peer);
        foreach (var download in _picker.Active.Values)
        {
            if (download.Owner == peer)
            {
                download.Owner = null;
            }
        }
        if (!peer.AmChoking && peer.PeerInterested)
        {
            FillUnchokeSlots(); // its upload slot is free
        }
        return true;
    }

    /// <summary>Gives a peer's outstanding requests back to the picker (it choked us, timed out or left).</summary>
    private void ReleaseRequests(SwarmPeer peer)
    {
        foreach (var request in peer.Pending)
        {
            if (_picker.Active.TryGetValue(request.Piece, out var download) && download.Requests[request.Block] > 0)
            {
                download.Requests[request.Block]--;
            }
        }
        peer.Pending.Clear();
    }

    private void ConnectMore()
    {
        List<IPEndPoint> targets;
        lock (_lock)
        {
            if (_stop.IsCancellationRequested || _have.IsComplete && !Options.ConnectWhenSeeding)
            {
                return;
            }
            var now = Now();
            var room = Options.MaxConnections - _peers.Count - _known.Values.Count(k => k.Connecting);
            targets = _known
                .Where(k => k.Value.CanDial(now) && !_banned.Contains(k.Key.Address))
                .Take(Math.Max(0, room))
                .Select(k => k.Key)
                .ToList();
            foreach (var target in targets)
            {
                _known[target].Connecting = true;
            }
        }
        foreach (var target in targets)
        {
            if (Dialer is { } dialer)
            {
                dialer.Dial(this, target);
            }
            else
            {
                _ = Task.Run(() => ConnectAsync(target));
            }
        }
    }

    private async Task ConnectAsync(IPEndPoint endPoint)
    {
        PeerConnection connection;
        try
        {
            connection = await PeerConnection.ConnectAsync(endPoint, Options.LocalAddress, OurHandshake, Options.SocketBufferSize, TimeSpan.FromSeconds(10), _stop.Token);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or PeerProtocolException or OperationCanceledException)
        {
            OnDialFailed(endPoint);
            _logger.LogDebug("{Torrent}: cannot connect to {Peer}: {Reason}", Torrent.Info.Name, endPoint, e.Message);
            return;
        }
        OnDialed(endPoint, connection);
    }

    /// <summary>A dial failed: try that address again later, backing off.</summary>
    private void OnDialFailed(IPEndPoint endPoint)
    {
        lock (_lock)
        {
            var known = _known[endPoint];
            known.Connecting = false;
            known.Failures++;
            known.RetryAfterTicks = Now() + Math.Min(60_000, 1000L << Math.Min(known.Failures, 6));
        }
    }

    /// <summary>A dial reached the peer and handshakes were exchanged: the connection joins (or is refused).</summary>
    private SwarmPeer? OnDialed(IPEndPoint endPoint, IPeerTransport connection)
    {
        lock (_lock)
        {
            var known = _known[endPoint];
            known.Connecting = false;
            known.Connected = true;
            known.Failures = 0;
        }
        return Attach(connection, endPoint);
    }

    public async ValueTask DisposeAsync()
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        _stop.Cancel();
        List<SwarmPeer> peers;
        lock (_lock)
        {
            peers = _peers.ToList();
        }
        foreach (var peer in peers)
        {
            peer.Close();
        }
        try
        {
            await Task.WhenAll(_background).WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
        }
        await Tracker.AnnounceStoppedAsync();
        _completed.TrySetCanceled();
        Tracker.Dispose();
        _stop.Dispose();
    }
}

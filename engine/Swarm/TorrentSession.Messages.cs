using System.Buffers;
using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Pieces;
using EzioPxe.Engine.Wire;
using Microsoft.Extensions.Logging;

namespace EzioPxe.Engine.Swarm;

/// <summary>What the session does with each message a peer sends.</summary>
public sealed partial class TorrentSession
{
    /// <summary>Called on the peer's read loop for every message, in order.</summary>
    internal void OnMessage(SwarmPeer peer, in PeerMessage message)
    {
        if (message.Id is not MessageId id)
        {
            return; // keep-alive
        }
        var payload = message.Payload;
        switch (id)
        {
            case MessageId.Choke:
                RequirePayload(payload, 0, id);
                lock (_lock)
                {
                    peer.PeerChoking = true;
                    // Without the Fast extension a choke silently drops every request (BEP 3);
                    // with it the peer rejects each one explicitly (BEP 6).
                    if (!peer.SupportsFast)
                    {
                        ReleaseRequests(peer);
                    }
                }
                break;
            case MessageId.Unchoke:
                RequirePayload(payload, 0, id);
                lock (_lock)
                {
                    peer.PeerChoking = false;
                    RequestMore(peer);
                }
                break;
            case MessageId.Interested:
                RequirePayload(payload, 0, id);
                lock (_lock)
                {
                    peer.PeerInterested = true;
                    if (peer.AmChoking && UnchokedInterestedCount() < UnchokeSlots)
                    {
                        Unchoke(peer);
                    }
                }
                break;
            case MessageId.NotInterested:
                RequirePayload(payload, 0, id);
                lock (_lock)
                {
                    peer.PeerInterested = false;
                    if (!peer.AmChoking)
                    {
                        FillUnchokeSlots(); // its slot is free
                    }
                }
                break;
            case MessageId.Have:
                RequirePayload(payload, 4, id);
                OnHave(peer, PeerMessageParser.ReadInt32(payload, 0));
                break;
            case MessageId.Bitfield:
                OnBitfield(peer, payload);
                break;
            case MessageId.HaveAll:
            case MessageId.HaveNone:
                RequirePayload(payload, 0, id);
                if (!peer.SupportsFast)
                {
                    throw new PeerProtocolException($"{id} without the Fast extension");
                }
                var all = new BitField(_have.Length);
                if (id == MessageId.HaveAll)
                {
                    all.SetAll();
                }
                ReplacePeerView(peer, all);
                break;
            case MessageId.Request:
                RequirePayload(payload, 12, id);
                OnRequest(peer, PeerMessageParser.ReadInt32(payload, 0), PeerMessageParser.ReadInt32(payload, 4), PeerMessageParser.ReadInt32(payload, 8));
                break;
            case MessageId.Piece:
                if (payload.Length < 8)
                {
                    throw new PeerProtocolException("piece message shorter than its header");
                }
                OnBlock(peer, PeerMessageParser.ReadInt32(payload, 0), PeerMessageParser.ReadInt32(payload, 4), payload.Slice(8));
                break;
            case MessageId.Cancel:
                RequirePayload(payload, 12, id);
                lock (_lock)
                {
                    // Only a queued upload can be cancelled; more cancels than queued blocks are noise
                    // (and, unbounded, a way for a peer to fill our memory).
                    if (peer.CancelledUploads.Count < peer.QueuedUploads)
                    {
                        peer.CancelledUploads.Add((PeerMessageParser.ReadInt32(payload, 0), PeerMessageParser.ReadInt32(payload, 4)));
                    }
                }
                break;
            case MessageId.RejectRequest:
                RequirePayload(payload, 12, id);
                OnReject(peer, PeerMessageParser.ReadInt32(payload, 0), PeerMessageParser.ReadInt32(payload, 4));
                break;
            case MessageId.Extended:
                if (payload.Length >= 1 && payload.FirstSpan[0] == 0)
                {
                    var handshake = ExtensionHandshake.Parse(payload.Slice(1).ToArray());
                    lock (_lock)
                    {
                        peer.RemoteClient = handshake.Client;
                        NoteListenPort(peer, handshake.ListenPort);
                        if (handshake.MaxOutstandingRequests is int reqq)
                        {
                            peer.PeerMaxRequests = reqq;
                        }
                    }
                }
                break;
            default:
                // Port (DHT), suggest, allowed-fast and unknown ids: nothing we need, and ignoring them is allowed.
                break;
        }
    }

    private static void RequirePayload(in ReadOnlySequence<byte> payload, int length, MessageId id)
    {
        if (payload.Length != length)
        {
            throw new PeerProtocolException($"{id} with a payload of {payload.Length} bytes instead of {length}");
        }
    }

    /// <summary>Parses a bitfield message, as strictly the first time as later: a wrong size or a spare bit set drops the peer.</summary>
    private void OnBitfield(SwarmPeer peer, in ReadOnlySequence<byte> payload)
    {
        var bits = new BitField(_have.Length);
        if (payload.Length > _have.Bytes.Length || !bits.TryLoad(payload.ToArray()))
        {
            throw new PeerProtocolException($"bitfield of {payload.Length} bytes does not fit {_have.Length} pieces");
        }
        ReplacePeerView(peer, bits);
    }

    /// <summary>
    /// A bitfield, have-all or have-none, first or later. BEP 3 and 6 expect them only as the
    /// opening, but aria2 sends a new bitfield in the middle of a connection when that is shorter
    /// than the "have" messages it replaces, and have-all once it completes; libtorrent accepts
    /// both. Untidy, not harmful: a later one replaces what we knew of the peer, availability included.
    /// </summary>
    private void ReplacePeerView(SwarmPeer peer, BitField bits)
    {
        bool later;
        lock (_lock)
        {
            later = peer.PeerHave != null;
            if (peer.PeerHave != null)
            {
                _picker.AddAvailability(peer.PeerHave, -1);
            }
            peer.PeerHave = bits;
            peer.PiecesWanted = _picker.CountWanted(bits);
            _picker.AddAvailability(bits, +1);
            UpdateInterest(peer);
            DropIfBothSeeds(peer);
            RevealMore(peer);
        }
        if (later)
        {
            _logger.LogDebug("{Torrent}: {Peer} says anew what it has ({Count} pieces); that replaces what it said before", Torrent.Info.Name, peer.Describe(), bits.Count);
        }
    }

    private void OnHave(SwarmPeer peer, int piece)
    {
        if ((uint)piece >= (uint)_have.Length)
        {
            throw new PeerProtocolException($"have for piece {piece} of {_have.Length}");
        }
        lock (_lock)
        {
            // A peer that sends "have" before any bitfield had nothing before (BEP 3 allows omitting it).
            peer.PeerHave ??= new BitField(_have.Length);
            if (peer.PeerHave[piece])
            {
                return;
            }
            peer.PeerHave[piece] = true;
            _picker.AddAvailability(piece);
            if (!_have[piece])
            {
                peer.PiecesWanted++;
                if (!peer.AmInterested)
                {
                    peer.AmInterested = true;
                    peer.Send(Outgoing.Simple(MessageId.Interested));
                }
                RequestMore(peer);
            }
            DropIfBothSeeds(peer);
            RevealMore(peer);
        }
    }

    private void OnRequest(SwarmPeer peer, int piece, int offset, int length)
    {
        lock (_lock)
        {
            var valid = (uint)piece < (uint)_have.Length && _have[piece] && length > 0 && length <= PeerMessageParser.MaxBlockLength
                && offset >= 0 && offset <= Torrent.Info.GetPieceSize(piece) - length;
            if (!valid || peer.AmChoking || peer.QueuedUploads >= Options.MaxIncomingRequests)
            {
                if (peer.SupportsFast)
                {
                    peer.Send(Outgoing.BlockReference(MessageId.RejectRequest, piece, offset, length));
                }
                return;
            }
            peer.QueuedUploads++;
            peer.LastActiveTicks = Now();
            peer.LastRequestTicks = peer.LastActiveTicks;
            peer.CancelledUploads.Remove((piece, offset));
        }
        QueueUpload(peer, piece, offset, length, fromCache: true);
    }

    /// <summary>A block queued from the cache had left it by the time its turn came: read it from the storage instead.</summary>
    internal void RequeueUpload(SwarmPeer peer, int piece, int offset, int length)
    {
        _logger.LogTrace("{Torrent}: piece {Piece} left the cache before its block for {Peer} went out; reading it again", Torrent.Info.Name, piece, peer.Describe());
        lock (_lock)
        {
            peer.QueuedUploads++;
        }
        QueueUpload(peer, piece, offset, length, fromCache: false);
    }

    /// <summary>
    /// Queues an accepted request (already counted in QueuedUploads): a block of a cached piece goes
    /// straight to the peer's send loop, which hands it from the cache to the socket without a copy;
    /// others go to the disk queue first.
    /// </summary>
    private void QueueUpload(SwarmPeer peer, int piece, int offset, int length, bool fromCache)
    {
        if (fromCache && _cache.Contains(piece))
        {
            peer.Send(Outgoing.Block(piece, offset, length));
            return;
        }
        if (!_uploads.TryEnqueue(peer, piece, offset, length))
        {
            lock (_lock)
            {
                peer.QueuedUploads--;
            }
            if (peer.SupportsFast)
            {
                peer.Send(Outgoing.BlockReference(MessageId.RejectRequest, piece, offset, length));
            }
        }
    }

    /// <summary>For a send loop: lends a block of a cached piece until sent; false when the piece left the cache meanwhile.</summary>
    internal bool TryLendCachedBlock(int piece, int offset, int length, out PieceCache.CachedBlock block) => _cache.TryLend(piece, offset, length, out block);

    private void OnReject(SwarmPeer peer, int piece, int offset)
    {
        lock (_lock)
        {
            var request = new BlockRequest(piece, offset / PieceDownload.BlockSize);
            if (peer.Pending.Remove(request) && _picker.Active.TryGetValue(piece, out var download) && download.Requests[request.Block] > 0)
            {
                download.Requests[request.Block]--;
            }
        }
    }

    private void OnBlock(SwarmPeer peer, int piece, int offset, in ReadOnlySequence<byte> data)
    {
        PieceDownload? complete = null;
        lock (_lock)
        {
            var length = (int)data.Length;
            peer.LastPieceDataTicks = Now();
            peer.Download.Add(length);
            _download.Add(length);
            var request = new BlockRequest(piece, offset / PieceDownload.BlockSize);
            var wasPending = offset % PieceDownload.BlockSize == 0 && peer.Pending.Remove(request);
            if (!wasPending || !_picker.Active.TryGetValue(piece, out var download)
                || request.Block >= download.BlockCount || length != download.BlockLength(request.Block))
            {
                // Not something we asked for (or a late answer to a cancelled request): count it and move on.
                _wasted += length;
                RequestMore(peer);
                return;
            }
            download.Requests[request.Block]--;
            peer.LastActiveTicks = peer.LastPieceDataTicks;
            if (download.Received[request.Block])
            {
                _wasted += length; // end-game duplicate
            }
            else
            {
                data.CopyTo(download.Buffer.AsSpan(offset, length));
                download.Received[request.Block] = true;
                download.ReceivedCount++;
                download.Contributors.Add(peer);
                if (download.Requests[request.Block] > 0)
                {
                    CancelDuplicates(peer, download, request);
                }
                if (download.IsComplete)
                {
                    _picker.Active.Remove(piece);
                    _picker.Verifying.Add(piece);
                    complete = download;
                }
            }
            RequestMore(peer);
        }
        if (complete != null)
        {
            if (VerifyInline)
            {
                _ = VerifyAsync(complete);
            }
            else
            {
                _ = Task.Run(() => VerifyAsync(complete));
            }
        }
    }

    /// <summary>End-game: the block came in, so everyone else asked for it is told never mind.</summary>
    private void CancelDuplicates(SwarmPeer receiver, PieceDownload download, BlockRequest request)
    {
        foreach (var other in _peers)
        {
            if (other != receiver && other.Pending.Remove(request))
            {
                download.Requests[request.Block]--;
                other.Send(Outgoing.BlockReference(MessageId.Cancel, request.Piece, request.Offset, download.BlockLength(request.Block)));
            }
        }
    }

    /// <summary>Checked by the writer loop just before a block goes out: the peer may have cancelled it or been choked since.</summary>
    internal bool ShouldSendBlock(SwarmPeer peer, int piece, int offset, int length)
    {
        lock (_lock)
        {
            peer.QueuedUploads--;
            if (peer.CancelledUploads.Remove((piece, offset)))
            {
                return false;
            }
            if (peer.AmChoking)
            {
                if (peer.SupportsFast)
                {
                    peer.Send(Outgoing.BlockReference(MessageId.RejectRequest, piece, offset, length));
                }
                return false;
            }
            CountUploadTurn(peer, length);
            return true;
        }
    }

    internal void OnBlockSent(SwarmPeer peer, int piece, int length)
    {
        _upload.Add(length);
        if (InSuperSeedMode)
        {
            lock (_lock)
            {
                CountSuperSeedUpload(piece, length);
            }
        }
    }

    /// <summary>Sends interested or not-interested when what the peer offers changed.</summary>
    private void UpdateInterest(SwarmPeer peer)
    {
        var wants = peer.PiecesWanted > 0;
        if (wants != peer.AmInterested)
        {
            peer.AmInterested = wants;
            peer.Send(Outgoing.Simple(wants ? MessageId.Interested : MessageId.NotInterested));
        }
        if (wants)
        {
            RequestMore(peer);
        }
    }

    /// <summary>Two seeds have nothing to say to each other; the slot is better used by a leecher.</summary>
    private void DropIfBothSeeds(SwarmPeer peer)
    {
        if (_have.IsComplete && peer.PeerHave is { IsComplete: true })
        {
            peer.Close();
        }
    }

    /// <summary>Tops up the peer's request pipeline to cover about a second of its rate.</summary>
    private void RequestMore(SwarmPeer peer)
    {
        if (peer.PeerChoking || !peer.AmInterested || peer.PeerHave == null)
        {
            return;
        }
        var target = RequestQueueTarget(peer);
        var slots = target - peer.Pending.Count;
        // Top up in batches, not one block per arriving block: fewer picker passes, same depth.
        if (slots < Math.Min(16, target / 4))
        {
            return;
        }
        _scratch.Clear();
        _picker.Pick(peer, slots, RentDownloadBuffer, _scratch);
        if (peer.Pending.Count == 0 && _scratch.Count > 0)
        {
            // The request timeout runs from the first request, not from whenever the peer last sent data.
            peer.LastPieceDataTicks = Now();
        }
        foreach (var request in _scratch)
        {
            peer.Pending.Add(request);
            var length = Math.Min(PieceDownload.BlockSize, Torrent.Info.GetPieceSize(request.Piece) - request.Offset);
            peer.Send(Outgoing.BlockReference(MessageId.Request, request.Piece, request.Offset, length));
        }
    }

    /// <summary>Requests kept outstanding with a peer until its rate is measured (the old floor for every peer).</summary>
    private const int UnmeasuredRequestQueue = 64;

    private int RequestQueueTarget(SwarmPeer peer)
    {
        var rate = peer.Download.Rate;
        var byRate = (int)(rate * Options.RequestQueueSeconds / PieceDownload.BlockSize);
        var max = Math.Min(Options.MaxRequestQueue, peer.PeerMaxRequests);
        // A peer whose rate is not measured yet (nothing from it by the last tick) may be fast:
        // the floor before its first second of data is the deeper one.
        var floor = rate == 0 ? Math.Max(_minRequestQueue, UnmeasuredRequestQueue) : _minRequestQueue;
        return Math.Clamp(byRate, Math.Min(floor, max), max);
    }

    private void RequestMoreForAll()
    {
        lock (_lock)
        {
            foreach (var peer in _peers)
            {
                RequestMore(peer);
            }
        }
    }

    private PieceBuffer? RentDownloadBuffer()
    {
        if (_activeBuffers >= _maxActivePieces)
        {
            return null;
        }
        _activeBuffers++;
        return _pool.Rent();
    }

    private int UnchokedInterestedCount() => _peers.Count(p => !p.AmChoking && p.PeerInterested);

    private void Unchoke(SwarmPeer peer)
    {
        peer.AmChoking = false;
        peer.UnchokedAtTicks = Now();
        peer.SentThisTurn = 0;
        peer.Send(Outgoing.Simple(MessageId.Unchoke));
    }

    private void Choke(SwarmPeer peer)
    {
        peer.AmChoking = true;
        peer.ChokedAtTicks = Now();
        peer.Send(Outgoing.Simple(MessageId.Choke));
        _logger.LogTrace("{Torrent}: choked {Peer}", Torrent.Info.Name, peer.Describe());
    }
}

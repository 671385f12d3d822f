using System.Security.Cryptography;
using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Pieces;
using EzioPxe.Engine.Wire;
using Microsoft.Extensions.Logging;

namespace EzioPxe.Engine.Swarm;

/// <summary>Verifying, writing and announcing pieces; checking what the storage already holds.</summary>
public sealed partial class TorrentSession
{
    /// <summary>Hashes a fully received piece on the thread pool, writes it if good, blames its senders if not.</summary>
    private async Task VerifyAsync(PieceDownload download)
    {
        var good = HashMatches(download.Piece, download.Buffer.AsSpan(0, download.Size));
        if (good)
        {
            try
            {
                await _storage.WritePieceAsync(download.Piece, download.Buffer.AsMemory(0, download.Size), _stop.Token);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                _logger.LogError(e, "{Torrent}: writing piece {Piece} failed", Torrent.Info.Name, download.Piece);
                _completed.TrySetException(new IOException($"writing piece {download.Piece} failed: {e.Message}", e));
                lock (_lock)
                {
                    _activeBuffers--;
                    _picker.DoneVerifying(download.Piece);
                }
                _pool.Return(download.Buffer);
                return;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        bool finished;
        lock (_lock)
        {
            _activeBuffers--;
            if (good)
            {
                MarkHave(download.Piece);
            }
            else
            {
                _hashFailures++;
                _wasted += download.Size;
                foreach (var sender in download.Contributors)
                {
                    sender.HashFailures++;
                    if (sender.HashFailures >= Options.MaxHashFailures || download.Contributors.Count == 1 && sender.HashFailures > 1)
                    {
                        Ban(sender, $"sent bad data for {sender.HashFailures} pieces");
                    }
                }
            }
            _picker.DoneVerifying(download.Piece); // after MarkHave: a good piece never rejoins the candidates
            finished = _have.IsComplete;
        }
        if (good)
        {
            _cache.Insert(download.Piece, download.Buffer);
            try
            {
                PieceCompleted?.Invoke(download.Piece);
            }
            catch (Exception e)
            {
                // The host's handler failed; the piece is written all the same and the session goes on.
                _logger.LogError(e, "{Torrent}: piece-completed handler failed for piece {Piece}", Torrent.Info.Name, download.Piece);
            }
        }
        else
        {
            _pool.Return(download.Buffer);
            _logger.LogWarning("{Torrent}: piece {Piece} failed its hash check; downloading it again", Torrent.Info.Name, download.Piece);
        }
        if (finished)
        {
            await OnFinishedAsync();
        }
        RequestMoreForAll();
    }

    private bool HashMatches(int piece, ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[20];
        SHA1.HashData(data, hash);
        return hash.SequenceEqual(Torrent.Info.GetPieceHash(piece));
    }

    /// <summary>Records a verified piece and tells every peer; peers that now offer nothing new lose our interest.</summary>
    private void MarkHave(int piece)
    {
        if (_have[piece])
        {
            return;
        }
        _have[piece] = true;
        _picker.MarkChecked(piece);
        foreach (var peer in _peers)
        {
            peer.Send(Outgoing.Index(MessageId.Have, piece));
            if (peer.PeerHave?[piece] == true)
            {
                peer.PiecesWanted--;
            }
            if (peer.AmInterested && peer.PiecesWanted == 0)
            {
                peer.AmInterested = false;
                peer.Send(Outgoing.Simple(MessageId.NotInterested));
            }
        }
    }

    private void Ban(SwarmPeer peer, string reason)
    {
        _logger.LogWarning("{Torrent}: dropping {Peer}: {Reason}", Torrent.Info.Name, peer.Describe(), reason);
        BanAddress(peer.RemoteEndPoint.Address);
        foreach (var (endPoint, known) in _known)
        {
            if (endPoint.Address.Equals(peer.RemoteEndPoint.Address))
            {
                known.Banned = true;
            }
        }
        peer.Close();
    }

    /// <summary>
    /// Every piece is verified and written: flush, then signal completion. Completion comes before
    /// anything else that could fail (closing seeds, telling the tracker): a machine whose image is
    /// on the disk must finish whatever its peers are doing meanwhile.
    /// </summary>
    private async Task OnFinishedAsync()
    {
        if (Interlocked.Exchange(ref _finishing, 1) != 0)
        {
            return; // the last verification and the existing-data check can both see the end
        }
        try
        {
            await _storage.FlushAsync(_stop.Token);
        }
        catch (OperationCanceledException)
        {
            _completed.TrySetCanceled();
            return;
        }
        catch (Exception e)
        {
            _completed.TrySetException(new IOException($"flushing the storage failed: {e.Message}", e));
            return;
        }
        _completed.TrySetResult();
        _logger.LogInformation("{Torrent}: complete", Torrent.Info.Name);
        try
        {
            List<SwarmPeer> seeds;
            lock (_lock)
            {
                seeds = _peers.Where(p => p.PeerHave is { IsComplete: true }).ToList();
            }
            foreach (var seed in seeds)
            {
                seed.Close();
            }
            Tracker.OnCompleted();
        }
        catch (Exception e)
        {
            // A bug of ours; the download is complete all the same.
            _logger.LogError(e, "{Torrent}: after completion", Torrent.Info.Name);
        }
    }

    /// <summary>
    /// Re-imaging: hashes what the storage already holds, piece by piece, while the download runs.
    /// Pieces found good are never downloaded; the picker prefers pieces already found missing, so a
    /// blank disk is not slowed down by the check. The next piece is read while this one is
    /// hashed (reading and hashing on two cores), and a piece that reads as all zeros (a blank
    /// disk) is not hashed: it is good exactly when its hash is that of a zero piece, computed once.
    /// </summary>
    private async Task CheckExistingAsync()
    {
        var info = Torrent.Info;
        var current = _pool.Rent();
        var ahead = _pool.Rent();
        var zeroHashes = new ZeroPieceHashes();
        var found = 0; // pieces this check found on the storage, not those downloaded meanwhile
        try
        {
            var piece = NextToCheck(0);
            var reading = piece < info.PieceCount ? ReadForCheckAsync(piece, current) : Task.FromResult(false);
            while (piece < info.PieceCount && !_stop.IsCancellationRequested)
            {
                var readable = await reading;
                var next = NextToCheck(piece + 1);
                if (next < info.PieceCount)
                {
                    reading = ReadForCheckAsync(next, ahead);
                }
                var good = readable && CheckedPieceMatches(piece, current.AsSpan(0, info.GetPieceSize(piece)), zeroHashes);
                bool finished;
                lock (_lock)
                {
                    _picker.MarkChecked(piece);
                    if (good && !_have[piece] && !_picker.Active.ContainsKey(piece) && !_picker.Verifying.Contains(piece))
                    {
                        MarkHave(piece);
                        found++;
                    }
                    finished = _have.IsComplete;
                    foreach (var peer in _peers)
                    {
                        RequestMore(peer);
                    }
                }
                if (finished)
                {
                    await OnFinishedAsync();
                }
                (current, ahead) = (ahead, current);
                piece = next;
            }
            if (piece < info.PieceCount)
            {
                await reading; // stopped: the read in flight still owns a buffer
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _pool.Return(current);
            _pool.Return(ahead);
        }
        _logger.LogInformation("{Torrent}: existing data checked, {Found} of {Count} pieces present", Torrent.Info.Name, found, info.PieceCount);
    }

    /// <summary>The first piece from <paramref name="from"/> on that still needs checking; pieces taken or had meanwhile are marked checked.</summary>
    private int NextToCheck(int from)
    {
        lock (_lock)
        {
            var piece = from;
            for (; piece < _have.Length; piece++)
            {
                if (!(_have[piece] || _picker.Active.ContainsKey(piece) || _picker.Verifying.Contains(piece)))
                {
                    break;
                }
                _picker.MarkChecked(piece);
            }
            return piece;
        }
    }

    /// <summary>Reads a piece for the check; false when the storage cannot (unreadable means missing).</summary>
    private async Task<bool> ReadForCheckAsync(int piece, PieceBuffer buffer)
    {
        try
        {
            await _storage.ReadAsync(piece, 0, buffer.AsMemory(0, Torrent.Info.GetPieceSize(piece)), _stop.Token);
            return true;
        }
        catch (Exception e) when (e is IOException or EndOfStreamException)
        {
            return false;
        }
    }

    private bool CheckedPieceMatches(int piece, ReadOnlySpan<byte> data, ZeroPieceHashes zeroHashes)
    {
        if (data.IndexOfAnyExcept((byte)0) >= 0)
        {
            return HashMatches(piece, data);
        }
        return zeroHashes.Of(data).AsSpan().SequenceEqual(Torrent.Info.GetPieceHash(piece));
    }
}

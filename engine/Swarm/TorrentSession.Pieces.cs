using System.Security.Cryptography;
using EzioPxe.Engine.Peers;
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
                    _picker.Verifying.Remove(download.Piece);
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
            _picker.Verifying.Remove(download.Piece);
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
        _have[piece] = true;
        _picker.Unchecked[piece] = false;
        foreach (var peer in _peers)
        {
            peer.Send(Outgoing.Index(MessageId.Have, piece));
            if (peer.AmInterested && peer.PeerHave != null && !_picker.Wants(peer.PeerHave))
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
    /// blank disk is not slowed down by the check.
    /// </summary>
    private async Task CheckExistingAsync()
    {
        var info = Torrent.Info;
        var buffer = _pool.Rent(info.PieceLength);
        var found = 0; // pieces this check found on the storage, not those downloaded meanwhile
        try
        {
            for (var piece = 0; piece < info.PieceCount && !_stop.IsCancellationRequested; piece++)
            {
                lock (_lock)
                {
                    if (_have[piece] || _picker.Active.ContainsKey(piece) || _picker.Verifying.Contains(piece))
                    {
                        _picker.Unchecked[piece] = false;
                        continue;
                    }
                }
                var size = info.GetPieceSize(piece);
                bool good;
                try
                {
                    await _storage.ReadAsync(piece, 0, buffer.AsMemory(0, size), _stop.Token);
                    good = HashMatches(piece, buffer.AsSpan(0, size));
                }
                catch (Exception e) when (e is IOException or EndOfStreamException)
                {
                    good = false; // unreadable means missing
                }
                bool finished;
                lock (_lock)
                {
                    _picker.Unchecked[piece] = false;
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
            }
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            _pool.Return(buffer);
        }
        _logger.LogInformation("{Torrent}: existing data checked, {Found} of {Count} pieces present", Torrent.Info.Name, found, info.PieceCount);
    }
}

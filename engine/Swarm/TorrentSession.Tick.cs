using EzioPxe.Engine.Peers;

namespace EzioPxe.Engine.Swarm;

/// <summary>Once a second: rates, request timeouts, keep-alives, unchoke rotation, new connections.</summary>
public sealed partial class TorrentSession
{
    private static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan RotationInterval = TimeSpan.FromSeconds(15);
    private long _lastRotationTicks;

    private async Task TickLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                OnTimer();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>What the once-a-second timer does (the swarm simulator calls it in virtual time).</summary>
    internal void OnTimer()
    {
        Tick();
        ConnectMore();
    }

    private void Tick()
    {
        var now = Now();
        lock (_lock)
        {
            _download.Tick();
            _upload.Tick();
            foreach (var peer in _peers)
            {
                peer.Download.Tick();
                peer.Upload.Tick();
                if (peer.Pending.Count > 0 && now - peer.LastPieceDataTicks > Options.RequestTimeout.TotalMilliseconds)
                {
                    // Snubbed: its blocks go to others; if it never answers again it is dropped.
                    ReleaseRequests(peer);
                    if (now - peer.LastPieceDataTicks > 3 * Options.RequestTimeout.TotalMilliseconds)
                    {
                        peer.Close();
                    }
                }
                if (now - peer.Connection.LastSentTicks > KeepAliveInterval.TotalMilliseconds)
                {
                    peer.Connection.LastSentTicks = now;
                    peer.Send(Outgoing.KeepAlive);
                }
            }
            RotateUnchoked(now);
            EndIdleTurns(now);
            DropIdleWhenFull(now);
            LeaveSuperSeedingWhenAlone(now);
            ShowSilentPeersPieces(now);
            if (InSuperSeedMode)
            {
                FillRevealSlots(); // slots freed by pieces whose peers did not fetch them
            }
            foreach (var peer in _peers)
            {
                RequestMore(peer);
            }
        }
    }

    /// <summary>
    /// With more interested peers than slots, every 15 s the longest-unchoked peers make way for
    /// waiting ones, so nobody starves. With slots for all (the LAN default), everyone stays unchoked.
    /// </summary>
    private void RotateUnchoked(long now)
    {
        var waiting = _peers.Where(p => p.AmChoking && p.PeerInterested).ToList();
        if (waiting.Count == 0)
        {
            return;
        }
        var free = UnchokeSlots - UnchokedInterestedCount();
        foreach (var peer in waiting.Take(Math.Max(0, free)))
        {
            Unchoke(peer);
        }
        waiting = waiting.Where(p => p.AmChoking).ToList();
        if (waiting.Count == 0 || now - _lastRotationTicks < RotationInterval.TotalMilliseconds)
        {
            return;
        }
        _lastRotationTicks = now;
        var swap = Math.Max(1, Math.Min(UnchokeSlots, _peers.Count) / 4);
        var longest = _peers.Where(p => !p.AmChoking && p.PeerInterested).OrderBy(p => p.UnchokedAtTicks).Take(Math.Min(swap, waiting.Count)).ToList();
        foreach (var peer in longest)
        {
            Choke(peer);
        }
        foreach (var peer in waiting.Take(longest.Count))
        {
            Unchoke(peer);
        }
    }
}

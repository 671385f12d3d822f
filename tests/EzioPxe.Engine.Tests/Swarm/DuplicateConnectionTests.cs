using System.Net;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Peers;
using EzioPxe.Engine.Storage;
using EzioPxe.Engine.Swarm;
using EzioPxe.TestSupport;

namespace EzioPxe.Engine.Tests.Swarm;

/// <summary>
/// A machine that starts after another learns the earlier one's address from its first announce
/// and dials it; the earlier one learns the later one's address only at its next announce, in the
/// middle of the deployment. Dialling it then must not replace the connection that carries the
/// transfer (in the netns benchmark half the connections of a room of 16 were cut that way, 20 s
/// into a 26 s deployment).
/// </summary>
public class DuplicateConnectionTests
{
    [Fact]
    public async Task A_peer_named_by_the_tracker_after_it_dialled_us_is_not_dialled_again()
    {
        await using var pair = await Pair.StartAsync(laterSaysItsPort: true);
        pair.Later.AddPeer(pair.EarlierEndPoint);
        await pair.WaitForOneConnectionAsync();

        // The tracker's next answer names the later machine to the earlier one.
        pair.Earlier.AddPeer(pair.LaterEndPoint);
        await Task.Delay(1000);

        Assert.DoesNotContain("refused", pair.EarlierLog.Text);
        Assert.DoesNotContain("refused", pair.LaterLog.Text);
        pair.AssertTheFirstConnectionStillRuns();
    }

    [Fact]
    public async Task A_second_connection_from_a_peer_already_connected_is_refused_at_both_ends()
    {
        // Peer ids ordered so that the rule for two dials that cross (keep the one dialled by the
        // lower id) would keep the earlier machine's new dial and cut the running connection.
        await using var pair = await Pair.StartAsync(laterSaysItsPort: false);
        pair.Later.AddPeer(pair.EarlierEndPoint);
        await pair.WaitForOneConnectionAsync();
        await Task.Delay(2500); // past the window in which two connections are dials that crossed

        pair.Earlier.AddPeer(pair.LaterEndPoint);
        await Poll.UntilAsync(() => pair.EarlierLog.Text.Contains("already connected") && pair.LaterLog.Text.Contains("already connected"),
            TimeSpan.FromSeconds(10), () => $"the duplicate was not refused at both ends:\n{pair.EarlierLog.Text}\n--\n{pair.LaterLog.Text}");

        pair.AssertTheFirstConnectionStillRuns();
    }

    /// <summary>Two leechers of a torrent nobody seeds, each with a listener on its own loopback address.</summary>
    private sealed class Pair : IAsyncDisposable
    {
        private readonly TempDirectory _dir;
        private readonly List<IAsyncDisposable> _owned = new();

        private Pair(TempDirectory dir) => _dir = dir;

        public TorrentSession Earlier { get; private set; } = null!;
        public TorrentSession Later { get; private set; } = null!;
        public IPEndPoint EarlierEndPoint { get; private set; } = null!;
        public IPEndPoint LaterEndPoint { get; private set; } = null!;
        public CollectingLogger EarlierLog { get; } = new();
        public CollectingLogger LaterLog { get; } = new();

        public static async Task<Pair> StartAsync(bool laterSaysItsPort)
        {
            var pair = new Pair(new TempDirectory());
            var torrent = Torrent.Parse(SampleContent.Create(pair._dir.Path, "content", new long[] { 100_000 }, 16 * 1024));
            (pair.Earlier, pair.EarlierEndPoint) = await pair.StartSessionAsync(torrent, 2, id: 0x01, pair.EarlierLog, saysItsPort: true);
            (pair.Later, pair.LaterEndPoint) = await pair.StartSessionAsync(torrent, 3, id: 0x02, pair.LaterLog, laterSaysItsPort);
            return pair;
        }

        private async Task<(TorrentSession, IPEndPoint)> StartSessionAsync(Torrent torrent, byte host, byte id, CollectingLogger log, bool saysItsPort)
        {
            var address = new IPAddress(new byte[] { 127, 0, 0, host });
            var listener = new PeerListener(new IPEndPoint(address, 0));
            var storage = new FileSystemStorage(torrent.Info, _dir.File($"target{host}"));
            var options = new SessionOptions
            {
                ExistingData = ExistingData.None,
                PeerId = Enumerable.Repeat(id, 20).ToArray(),
                ListenPort = saysItsPort ? listener.Port : 0,
                LocalAddress = address,
            };
            var session = new TorrentSession(torrent, storage, options, log);
            listener.Register(session);
            listener.Start();
            _owned.Add(session);
            _owned.Add(storage);
            _owned.Add(listener);
            await session.StartAsync();
            return (session, listener.EndPoint);
        }

        /// <summary>Until the later machine's dial is up and both have read the other's extension handshake.</summary>
        public Task WaitForOneConnectionAsync() => Poll.UntilAsync(
            () => Earlier.DescribePeers() is [var e] && e.Contains("EzioPxe") && Later.DescribePeers() is [var l] && l.Contains("EzioPxe"),
            TimeSpan.FromSeconds(10), () => $"not connected:\n{EarlierLog.Text}\n--\n{LaterLog.Text}");

        public void AssertTheFirstConnectionStillRuns()
        {
            foreach (var (name, session, log) in new[] { ("earlier", Earlier, EarlierLog), ("later", Later, LaterLog) })
            {
                var text = log.Text;
                Assert.True(session.DescribePeers().Count == 1, $"the {name} machine has {session.DescribePeers().Count} peers:\n{text}");
                Assert.True(text.Split('\n').Count(line => line.Contains("connected to")) == 1, $"the {name} machine connected more than once:\n{text}");
                Assert.False(text.Contains(" gone"), $"a connection of the {name} machine ended:\n{text}");
            }
        }

        public async ValueTask DisposeAsync()
        {
            for (var i = _owned.Count - 1; i >= 0; i--)
            {
                await _owned[i].DisposeAsync();
            }
            _dir.Dispose();
        }
    }
}

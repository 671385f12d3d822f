using System.Net;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Swarm;
using EzioPxe.TestSupport;

namespace EzioPxe.Engine.Tests.Swarm;

/// <summary>
/// A full machine takes a peer that dials it in place of one of its peers that sends it nothing, so that the
/// machines that start last in a large room are not refused everywhere; the swap cannot be used to
/// churn its peers. Real sessions on a loopback listener, each peer from its own 127.0.0.x address.
/// </summary>
public class RoomForNewcomersTests
{
    private static readonly long[] Sizes = { 1024 * 1024 + 17 }; // 17 pieces of 64 KiB

    [Fact]
    public async Task A_full_machine_swaps_a_peer_that_sends_it_nothing_for_one_that_dials_it_and_neither_address_can_swap_again()
    {
        using var dir = new TempDirectory();
        var torrent = Torrent.Parse(SampleContent.Create(dir.Path, "content", Sizes, 64 * 1024));
        await using var machine = await StartFullAtTwoAsync(torrent, dir);
        var half = new byte[] { 0xff, 0, 0 };
        using var choking = await JoinAsync(machine, torrent, Address(40), half);
        // A peer that unchokes the machine is one it downloads from (the origin is such a peer):
        // it keeps its slot, so the choking one is the one to go.
        using var kept = await JoinAsync(machine, torrent, Address(41), half);
        await kept.SendAsync(Wire.MessageId.Unchoke);
        await WaitUntilFullAsync(machine);

        using var newcomer = await JoinAsync(machine, torrent, Address(50), half);
        Assert.True(await choking.IsClosedByRemoteAsync(TimeSpan.FromSeconds(3)));
        Assert.False(await newcomer.IsClosedByRemoteAsync(TimeSpan.FromSeconds(1)));

        // The peer that gave up its slot dials straight back: refused, nobody else pushed out.
        using var back = await JoinAsync(machine, torrent, Address(40), half);
        Assert.True(await back.IsClosedByRemoteAsync(TimeSpan.FromSeconds(3)));
        // The newcomer's address dials again: refused too, so one host cannot churn the machine's peers.
        using var again = await JoinAsync(machine, torrent, Address(50), half);
        Assert.True(await again.IsClosedByRemoteAsync(TimeSpan.FromSeconds(3)));

        Assert.False(await kept.IsClosedByRemoteAsync(TimeSpan.FromMilliseconds(500)));
        Assert.False(await newcomer.IsClosedByRemoteAsync(TimeSpan.FromMilliseconds(500)));
        Assert.Equal(2, machine.Session.GetStatus().Peers);
    }

    [Fact]
    public async Task Seeders_keep_their_slots_so_a_newcomer_to_a_machine_full_of_them_is_refused()
    {
        using var dir = new TempDirectory();
        var torrent = Torrent.Parse(SampleContent.Create(dir.Path, "content", Sizes, 64 * 1024));
        await using var machine = await StartFullAtTwoAsync(torrent, dir);
        var all = new byte[] { 0xff, 0xff, 0x80 };
        using var seederA = await JoinAsync(machine, torrent, Address(60), all);
        using var seederB = await JoinAsync(machine, torrent, Address(61), all);
        await WaitUntilFullAsync(machine);

        using var newcomer = await JoinAsync(machine, torrent, Address(62), new byte[] { 0xff, 0, 0 });
        Assert.True(await newcomer.IsClosedByRemoteAsync(TimeSpan.FromSeconds(3)));
        Assert.False(await seederA.IsClosedByRemoteAsync(TimeSpan.FromMilliseconds(500)));
        Assert.False(await seederB.IsClosedByRemoteAsync(TimeSpan.FromMilliseconds(500)));
    }

    /// <summary>A machine that still downloads, with room for two peers and none ever idle long enough to make room that way.</summary>
    private static Task<OwnSeeder> StartFullAtTwoAsync(Torrent torrent, TempDirectory dir)
        => OwnSeeder.StartAsync(torrent, dir.Path, tune: o => o with
        {
            ExistingData = ExistingData.None, MaxConnections = 2, IncomingSlack = 0, PeerIdleTimeout = TimeSpan.FromHours(1),
        });

    private static Task WaitUntilFullAsync(OwnSeeder machine)
        => Poll.UntilAsync(() => machine.Session.GetStatus().Peers == 2, TimeSpan.FromSeconds(10), () => machine.Session.GetStatus().ToString());

    /// <summary>Dials the machine from <paramref name="from"/> and says which pieces it has; it never unchokes, so nothing is asked of it.</summary>
    private static async Task<RawPeer> JoinAsync(OwnSeeder machine, Torrent torrent, IPAddress from, byte[] bitfield)
    {
        var peer = await RawPeer.ConnectAsync(machine.EndPoint, torrent.InfoHash, from: from);
        await peer.SendBitfieldAsync(bitfield);
        return peer;
    }

    private static IPAddress Address(int last) => new(new byte[] { 127, 0, 0, (byte)last });
}

using EzioPxe.Engine.Pieces;
using EzioPxe.Engine.Swarm;

namespace EzioPxe.Engine.Tests.Swarm;

/// <summary>
/// The picker's promises, held against a plain model that recomputes everything from scratch:
/// it starts only pieces we miss that are checked and neither downloading nor verifying, always
/// the rarest among those the peer has, ties broken at random; availability and the per-peer
/// count of wanted pieces follow every have, bitfield and departure; end-game duplicates only
/// when every missing piece is under way.
/// </summary>
public class PiecePickerTests
{
    private const int BlockSize = PieceDownload.BlockSize;

    [Theory]
    [InlineData(1, 64)]
    [InlineData(2, 300)]
    [InlineData(3, 1000)]
    public void Every_pick_is_the_rarest_allowed_piece_the_peer_has_through_random_swarm_events(int seed, int pieceCount)
    {
        var random = new Random(seed);
        var have = new BitField(pieceCount);
        var picker = new PiecePicker(have, _ => BlockSize, new Random(seed + 100));
        picker.MarkAllUnchecked();
        for (var i = 0; i < pieceCount; i += 2)
        {
            picker.MarkChecked(i); // half checked already, the rest as the events go
        }
        var peers = new List<SwarmPeer>();
        var buffer = new PieceBuffer(BlockSize);
        var picks = 0;
        var fewPieces = 0;
        for (var step = 0; step < 4000; step++)
        {
            switch (random.Next(8))
            {
                case 0 when peers.Count < 12: // a peer arrives with a random bitfield (sparse or dense)
                    var peer = new SwarmPeer(null!, null!, clock: () => 0) { PeerHave = new BitField(pieceCount) };
                    var density = random.Next(3) switch { 0 => 0.02, 1 => 0.5, _ => 1.0 };
                    for (var i = 0; i < pieceCount; i++)
                    {
                        peer.PeerHave[i] = random.NextDouble() < density;
                    }
                    picker.AddAvailability(peer.PeerHave, +1);
                    peers.Add(peer);
                    break;
                case 1 when peers.Count > 0: // a peer leaves
                    var leaving = peers[random.Next(peers.Count)];
                    picker.AddAvailability(leaving.PeerHave!, -1);
                    peers.Remove(leaving);
                    break;
                case 2 when peers.Count > 0: // a have
                    var sender = peers[random.Next(peers.Count)];
                    var piece = random.Next(pieceCount);
                    if (!sender.PeerHave![piece])
                    {
                        sender.PeerHave[piece] = true;
                        picker.AddAvailability(piece);
                    }
                    break;
                case 3: // the check looks at a piece (and sometimes finds it present)
                    var looked = random.Next(pieceCount);
                    if (picker.Unchecked[looked])
                    {
                        if (random.Next(4) == 0 && !picker.Active.ContainsKey(looked))
                        {
                            have[looked] = true;
                        }
                        picker.MarkChecked(looked);
                    }
                    break;
                case 4 when picker.Active.Count > 0: // a download completes; its hash is good or bad
                    var done = picker.Active.Keys.ElementAt(random.Next(picker.Active.Count));
                    picker.Active.Remove(done);
                    picker.Verifying.Add(done);
                    if (random.Next(3) > 0)
                    {
                        have[done] = true;
                        picker.MarkChecked(done);
                    }
                    picker.DoneVerifying(done);
                    break;
                case >= 5 when peers.Count > 0: // a pick for a random peer
                    var picking = peers[random.Next(peers.Count)];
                    var allowed = Enumerable.Range(0, pieceCount).Where(p => Allowed(picker, have, p)).ToList();
                    Assert.Equal(allowed.Count, picker.CandidateCount);
                    var theirs = allowed.Where(p => picking.PeerHave![p]).ToList();
                    var activeBefore = picker.Active.Keys.ToHashSet();
                    var output = new List<BlockRequest>();
                    picker.Pick(picking, 1, () => buffer, output);
                    var started = picker.Active.Keys.Where(p => !activeBefore.Contains(p)).ToList();
                    if (theirs.Count == 0)
                    {
                        Assert.Empty(started);
                    }
                    else
                    {
                        var piece1 = Assert.Single(started);
                        Assert.Equal(piece1, Assert.Single(output).Piece);
                        Assert.Same(picking, picker.Active[piece1].Owner);
                        Assert.Contains(piece1, theirs);
                        Assert.Equal(Availability(peers, piece1), picker.Availability(piece1));
                        Assert.Equal(theirs.Min(p => Availability(peers, p)), Availability(peers, piece1));
                        picks++;
                        if ((long)picking.PeerHave!.Count * 8 < allowed.Count)
                        {
                            fewPieces++;
                        }
                    }
                    picking.Pending.Clear(); // the blocks arrive at once, as far as the picker cares
                    break;
            }
        }
        Assert.True(picks > 50, $"only {picks} new pieces were started");
        Assert.True(fewPieces > 0 || pieceCount < 100, "no pick came from a peer with few pieces");
        Assert.All(Enumerable.Range(0, pieceCount), p => Assert.Equal(Availability(peers, p), picker.Availability(p)));
    }

    [Fact]
    public void Equally_rare_pieces_are_started_in_random_order()
    {
        const int count = 64;
        var firsts = new HashSet<int>();
        var ascending = 0;
        for (var run = 0; run < 100; run++)
        {
            var have = new BitField(count);
            var picker = new PiecePicker(have, _ => BlockSize, new Random(run));
            var seed = Seed(count);
            picker.AddAvailability(seed.PeerHave!, +1);
            var order = new List<int>();
            for (var i = 0; i < 5; i++)
            {
                var output = new List<BlockRequest>();
                picker.Pick(seed, 1, () => new PieceBuffer(BlockSize), output);
                order.Add(output.Single().Piece);
                seed.Pending.Clear();
                picker.Active[output[0].Piece].Received[0] = true; // done: not picked again
                picker.Active[output[0].Piece].Owner = null;
            }
            firsts.Add(order[0]);
            if (order.SequenceEqual(order.Order()))
            {
                ascending++;
            }
        }
        Assert.True(firsts.Count >= 30, $"100 pickers started only {firsts.Count} different first pieces");
        Assert.True(ascending < 10, $"{ascending} of 100 pickers started pieces in index order");
    }

    [Fact]
    public void A_peer_with_few_pieces_gets_its_rarest_and_a_departure_changes_what_is_rarest()
    {
        const int count = 500;
        var have = new BitField(count);
        var picker = new PiecePicker(have, _ => BlockSize, new Random(7));
        var seeds = Enumerable.Range(0, 3).Select(_ => Seed(count)).ToList();
        seeds.ForEach(seed => picker.AddAvailability(seed.PeerHave!, +1));
        var partial = new SwarmPeer(null!, null!, clock: () => 0) { PeerHave = new BitField(count) };
        partial.PeerHave[123] = true;
        partial.PeerHave[321] = true;
        picker.AddAvailability(partial.PeerHave, +1);
        var announcer = new SwarmPeer(null!, null!, clock: () => 0) { PeerHave = new BitField(count) };
        announcer.PeerHave[400] = true;
        picker.AddAvailability(400);

        // Everything is at 3 but 123, 321 and 400 (4): the partial peer can only get one of its two.
        var output = new List<BlockRequest>();
        picker.Pick(partial, 1, () => new PieceBuffer(BlockSize), output);
        Assert.Contains(Assert.Single(output).Piece, new[] { 123, 321 });

        // A seed leaves: the others drop to 2, and a seed's pick is one of those.
        picker.AddAvailability(seeds[0].PeerHave!, -1);
        output.Clear();
        picker.Pick(seeds[1], 1, () => new PieceBuffer(BlockSize), output);
        var picked = Assert.Single(output).Piece;
        Assert.Equal(2, picker.Availability(picked));
        Assert.DoesNotContain(picked, new[] { 123, 321, 400 });
        Assert.Equal(3, picker.Availability(400));
    }

    [Fact]
    public void End_game_asks_a_second_peer_only_when_every_missing_piece_is_under_way()
    {
        const int count = 4;
        var have = new BitField(count);
        var picker = new PiecePicker(have, _ => 2 * BlockSize, new Random(1));
        var partial = new SwarmPeer(null!, null!, clock: () => 0) { PeerHave = new BitField(count) };
        partial.PeerHave[0] = partial.PeerHave[1] = partial.PeerHave[2] = true;
        var seed = Seed(count);
        picker.AddAvailability(partial.PeerHave, +1);
        picker.AddAvailability(seed.PeerHave!, +1);
        var output = new List<BlockRequest>();
        picker.Pick(partial, 10, () => new PieceBuffer(2 * BlockSize), output);
        Assert.Equal(6, output.Count); // its three pieces, two blocks each
        output.ForEach(r => partial.Pending.Add(r));

        // Piece 3 is not under way (the partial peer lacks it): no duplicates yet.
        output.Clear();
        picker.Pick(partial, 10, () => new PieceBuffer(2 * BlockSize), output);
        Assert.Empty(output);

        output.Clear();
        picker.Pick(seed, 2, () => new PieceBuffer(2 * BlockSize), output);
        Assert.Equal(new[] { new BlockRequest(3, 0), new BlockRequest(3, 1) }, output);
        output.ForEach(r => seed.Pending.Add(r));
        Assert.Equal(0, picker.CandidateCount);

        // Now every missing piece is under way: the seed is asked for the partial peer's blocks too.
        output.Clear();
        picker.Pick(seed, 10, () => new PieceBuffer(2 * BlockSize), output);
        Assert.Equal(partial.Pending.OrderBy(r => (r.Piece, r.Block)), output.OrderBy(r => (r.Piece, r.Block)));
    }

    [Fact]
    public void Counts_the_pieces_a_peer_has_that_we_miss()
    {
        const int count = 21;
        var have = new BitField(count);
        var picker = new PiecePicker(have, _ => BlockSize);
        var theirs = new BitField(count);
        foreach (var piece in new[] { 0, 3, 7, 8, 15, 20 })
        {
            theirs[piece] = true;
        }
        have[3] = true;
        have[20] = true;
        have[5] = true;
        Assert.Equal(4, picker.CountWanted(theirs));
        Assert.Equal(0, picker.CountWanted(new BitField(count)));
    }

    private static SwarmPeer Seed(int count)
    {
        var peer = new SwarmPeer(null!, null!, clock: () => 0) { PeerHave = new BitField(count) };
        peer.PeerHave.SetAll();
        return peer;
    }

    private static bool Allowed(PiecePicker picker, BitField have, int piece)
        => !have[piece] && !picker.Unchecked[piece] && !picker.Active.ContainsKey(piece) && !picker.Verifying.Contains(piece);

    private static int Availability(List<SwarmPeer> peers, int piece) => peers.Count(p => p.PeerHave![piece]);
}

using System.Buffers;
using System.Text;
using EzioPxe.Engine.Bencode;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Storage;
using EzioPxe.Engine.Wire;
using EzioPxe.TestSupport.Fuzzing;
using Xunit.Abstractions;

namespace EzioPxe.Engine.Tests.Fuzzing;

/// <summary>
/// Fuzzing of every engine parser that takes bytes from the network or a disk, with a fixed budget
/// and seed in CI (FuzzBudget: `./build.sh fuzz` multiplies the budget and picks a fresh seed). Each target asserts that only its
/// documented exception escapes and that its inputs got past the first byte and into the deeper
/// stages, so a fuzzer that only ever exercises the first check fails too.
/// </summary>
[Trait("Category", "Fuzz")]
public class ParserFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Bencode_raises_only_BencodeException_and_most_inputs_get_past_the_first_byte()
    {
        var seeds = new[] { "d4:infod6:lengthi5e4:name1:xee", "li1ei-2e3:abce", "d1:ad1:bl1:ceee", "i9223372036854775807e", "d0:le3:keyi0ee" }
            .Select(Encoding.ASCII.GetBytes).ToArray();
        var fuzzSeed = FuzzBudget.Seed(1234);
        var mutator = new BencodeMutator(fuzzSeed);
        var tally = new FuzzTally();
        var rounds = FuzzBudget.Iterations(20_000);
        for (var round = 0; round < rounds; round++)
        {
            var input = mutator.Mutate(seeds[round % seeds.Length]);
            try
            {
                var value = BencodeParser.Parse(input);
                // Whatever was accepted is canonical: writing it back gives the same bytes.
                Assert.True(BencodeWriter.Encode(value).AsSpan().SequenceEqual(input), $"seed {fuzzSeed}, round {round}: accepted a non-canonical encoding");
                tally.Count("parsed");
            }
            catch (BencodeException e)
            {
                tally.Count(e.Position > 0 ? "refused past the first byte" : "refused at the first byte");
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {fuzzSeed}, round {round}: {e.GetType().Name} escaped for {Convert.ToHexString(input)}: {e}");
            }
        }
        output.WriteLine(tally.ToString());
        tally.AssertAtLeast("parsed", 0.05);
        tally.AssertAtLeast("refused past the first byte", 0.5);
    }

    [Fact]
    public void Metainfo_raises_only_InvalidTorrentException_and_inputs_reach_the_info_checks()
    {
        var seeds = MetainfoSeeds();
        var fuzzSeed = FuzzBudget.Seed(99);
        var mutator = new BencodeMutator(fuzzSeed);
        var tally = new FuzzTally();
        var rounds = FuzzBudget.Iterations(20_000);
        for (var round = 0; round < rounds; round++)
        {
            // Half the inputs break the encoding, half keep it and break what the values mean.
            var seed = seeds[round % seeds.Length];
            var input = round % 2 == 0 ? mutator.Mutate(seed) : mutator.MutateValues(seed);
            var bencoded = true;
            try
            {
                BencodeParser.Parse(input);
            }
            catch (BencodeException)
            {
                bencoded = false;
            }
            try
            {
                var torrent = Torrent.Parse(input);
                CheckInvariants(torrent.Info, round);
                tally.Count("valid torrent");
            }
            catch (InvalidTorrentException)
            {
                tally.Count(bencoded ? "bencode fine, torrent refused" : "not bencode");
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {fuzzSeed}, round {round}: {e.GetType().Name} escaped for {Convert.ToHexString(input)}: {e}");
            }
        }
        output.WriteLine(tally.ToString());
        tally.AssertAtLeast("bencode fine, torrent refused", 0.3);
        tally.AssertAtLeast("valid torrent", 0.05);
    }

    [Fact]
    public void Wire_framing_raises_only_PeerProtocolException_and_frames_most_messages()
    {
        var stream = WireSeed();
        var fuzzSeed = FuzzBudget.Seed(7);
        var mutator = new BencodeMutator(fuzzSeed);
        var tally = new FuzzTally();
        var framed = 0;
        var rounds = FuzzBudget.Iterations(20_000);
        for (var round = 0; round < rounds; round++)
        {
            var input = mutator.Mutate(stream);
            try
            {
                var buffer = new ReadOnlySequence<byte>(input);
                while (PeerMessageParser.TryRead(ref buffer, 256 * 1024, out var message))
                {
                    framed++;
                    if (message.Id == MessageId.Extended && message.Payload.Length > 0 && message.Payload.FirstSpan[0] == 0)
                    {
                        ExtensionHandshake.Parse(message.Payload.Slice(1).ToArray());
                    }
                }
                tally.Count("every message framed");
            }
            catch (PeerProtocolException)
            {
                tally.Count("refused");
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {fuzzSeed}, round {round}: {e.GetType().Name} escaped for {Convert.ToHexString(input)}: {e}");
            }
        }
        output.WriteLine($"{tally}; {framed} messages framed");
        tally.AssertAtLeast("every message framed", 0.3);
        tally.AssertAtLeast("refused", 0.05);
        Assert.True(framed > rounds * 5, $"only {framed} messages framed in {rounds} inputs");
    }

    [Fact]
    public void Handshake_parsing_raises_only_PeerProtocolException()
    {
        var valid = new byte[Handshake.Length];
        new Handshake(InfoHash.FromHex("0123456789abcdef0123456789abcdef01234567"), new byte[20], true, true).Write(valid);
        var fuzzSeed = FuzzBudget.Seed(11);
        var mutator = new BencodeMutator(fuzzSeed);
        var tally = new FuzzTally();
        for (var round = 0; round < FuzzBudget.Iterations(5_000); round++)
        {
            var input = mutator.Mutate(valid);
            try
            {
                Handshake.Parse(input);
                tally.Count("parsed");
            }
            catch (PeerProtocolException)
            {
                tally.Count("refused");
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {fuzzSeed}, round {round}: {e.GetType().Name} escaped for {Convert.ToHexString(input)}: {e}");
            }
        }
        output.WriteLine(tally.ToString());
        tally.AssertAtLeast("parsed", 0.2);
        tally.AssertAtLeast("refused", 0.2);
    }

    /// <summary>Single and multi-file torrents, private, with trackers: valid starting points.</summary>
    internal static byte[][] MetainfoSeeds() => new[]
    {
        new TorrentBuilder { Name = "a", PieceLength = 16384, Files = new[] { ("a", 40000L) }, PieceHashes = new byte[60], SingleFile = true }.Build(),
        new TorrentBuilder
        {
            Name = "dir", PieceLength = 32768, Files = new[] { ("x/1", 1000L), ("y", 0L), ("z", 70000L) }, PieceHashes = new byte[60],
            Announce = "http://10.0.0.1:6969/announce", AnnounceList = new[] { new[] { "http://a/announce" } }, IsPrivate = true,
        }.Build(),
        new TorrentBuilder { Name = "img", PieceLength = 16384, Files = new[] { ("00", 5L), ("01", 16379L), ("02", 1L) }, PieceHashes = new byte[40] }.Build(),
    };

    private static void CheckInvariants(TorrentInfo info, int round)
    {
        Assert.True(info.TotalLength >= 0, $"round {round}: negative total");
        if (info.PieceCount > 0)
        {
            var last = info.GetPieceSize(info.PieceCount - 1);
            Assert.True(last > 0 && last <= info.PieceLength, $"round {round}: last piece of {last} bytes");
            var layout = new PieceLayout(info);
            Assert.Equal(last, layout.Map(info.PieceCount - 1, 0, last).Sum(span => (long)span.Length));
        }
        Assert.All(info.Files, f => Assert.True(f.Offset >= 0 && f.Length >= 0 && f.End <= info.TotalLength, $"round {round}: file {f.Path} outside the torrent"));
    }

    /// <summary>One of every message a peer may send, framed as on the wire.</summary>
    internal static byte[] WireSeed()
    {
        var messages = new List<byte[]>
        {
            Array.Empty<byte>(), // keep-alive
            new byte[] { (byte)MessageId.HaveNone },
            new byte[] { (byte)MessageId.Interested },
            Message(MessageId.Request, 0, 0, 16384),
            Message(MessageId.Request, 1, 16384, 16384),
            Message(MessageId.Have, 3),
            new byte[] { (byte)MessageId.Bitfield, 0xF0, 0, 0, 0, 0 },
            Message(MessageId.Cancel, 1, 16384, 16384),
            Message(MessageId.RejectRequest, 2, 0, 16384),
            Message(MessageId.AllowedFast, 4),
            Message(MessageId.Suggest, 5),
            new byte[] { (byte)MessageId.Piece, 0, 0, 0, 0, 0, 0, 0x40, 0, 1, 2, 3, 4 },
            new byte[] { (byte)MessageId.Extended, 0 }.Concat(Encoding.ASCII.GetBytes("d1:md6:ut_pexi1ee1:pi6881e4:reqqi500e1:v4:teste")).ToArray(),
            new byte[] { (byte)MessageId.NotInterested },
        };
        var stream = new List<byte>();
        foreach (var message in messages)
        {
            stream.AddRange(new[] { (byte)(message.Length >> 24), (byte)(message.Length >> 16), (byte)(message.Length >> 8), (byte)message.Length });
            stream.AddRange(message);
        }
        return stream.ToArray();
    }

    private static byte[] Message(MessageId id, params int[] fields)
    {
        var bytes = new byte[1 + 4 * fields.Length];
        bytes[0] = (byte)id;
        for (var i = 0; i < fields.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(1 + 4 * i), fields[i]);
        }
        return bytes;
    }
}

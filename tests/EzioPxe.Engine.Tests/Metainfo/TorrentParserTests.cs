using System.Security.Cryptography;
using System.Text;
using EzioPxe.Engine.Bencode;
using EzioPxe.Engine.Metainfo;

namespace EzioPxe.Engine.Tests.Metainfo;

public class TorrentParserTests
{
    private static byte[] Hashes(int pieces) => new byte[pieces * 20];

    [Fact]
    public void A_built_multi_file_torrent_parses_back_with_offsets_and_a_hash_over_the_raw_info()
    {
        var bytes = new TorrentBuilder
        {
            Name = "image",
            PieceLength = 16384,
            Files = new[] { ("00000000000000000000000000000000", 1000L), ("0000000000000000000000000000a000", 40000L) },
            PieceHashes = Hashes(3),
            Announce = "http://10.0.0.1:6969/announce",
            IsPrivate = true,
            ExtraInfo = new Dictionary<string, BValue> { ["x-eziopxe-disk-size"] = new BInteger(1 << 30) },
        }.Build();

        var torrent = Torrent.Parse(bytes);

        Assert.Equal("image", torrent.Info.Name);
        Assert.True(torrent.Info.IsPrivate);
        Assert.True(torrent.Info.IsMultiFile);
        Assert.Equal(41000, torrent.Info.TotalLength);
        Assert.Equal(1000, torrent.Info.Files[1].Offset);
        Assert.Equal(41000 - 2 * 16384, torrent.Info.GetPieceSize(2));
        Assert.Equal(1 << 30, torrent.Info.Dictionary.GetInteger("x-eziopxe-disk-size")!.Value);
        var root = (BDictionary)BencodeParser.Parse(bytes);
        var infoBytes = BencodeWriter.Encode(root.GetDictionary("info")!);
        Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(infoBytes)), torrent.InfoHash.ToHex());
    }

    [Fact]
    public void The_info_hash_covers_the_original_bytes_even_with_unknown_keys()
    {
        var text = "d4:infod6:lengthi3e4:name1:x12:piece lengthi16384e6:pieces20:" + new string('a', 20) + "7:zzzzzzzi1eee";
        var bytes = Encoding.ASCII.GetBytes(text);
        var torrent = Torrent.Parse(bytes);
        var info = text[(text.IndexOf("4:info", StringComparison.Ordinal) + 6)..^1];
        Assert.Equal(Convert.ToHexStringLower(SHA1.HashData(Encoding.ASCII.GetBytes(info))), torrent.InfoHash.ToHex());
        Assert.False(torrent.Info.IsMultiFile);
        Assert.Equal("x", torrent.Info.Files[0].Path);
    }

    [Theory]
    [InlineData("le", "top level is not a dictionary")]
    [InlineData("de", "missing 'info'")]
    [InlineData("d4:infod4:name1:x12:piece lengthi16384e6:pieces0:ee", "missing 'length'")]
    [InlineData("d4:infod6:lengthi1e4:name1:x12:piece lengthi0e6:pieces20:aaaaaaaaaaaaaaaaaaaaee", "'piece length' 0")]
    [InlineData("d4:infod6:lengthi1e4:name1:x12:piece lengthi16384e6:pieces19:aaaaaaaaaaaaaaaaaaaee", "not a multiple of 20")]
    [InlineData("d4:infod6:lengthi1e4:name1:x12:piece lengthi16384e6:pieces40:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaee", "need 1")]
    [InlineData("d4:infod5:filesld6:lengthi1e4:pathl2:..1:xeee4:name1:x12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee", "unsafe path segment '..'")]
    [InlineData("d4:infod5:filesld6:lengthi-1e4:pathl1:xeee4:name1:x12:piece lengthi16384e6:pieces0:ee", "negative")]
    [InlineData("d4:infod6:lengthi1e4:name2:..12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee", "unsafe path segment")]
    [InlineData("d4:infoi1ee", "missing 'info'")]
    [InlineData("d4:infod5:filesld6:lengthi9223372036854775807e4:pathl1:aeed6:lengthi1e4:pathl1:beee4:name1:x12:piece lengthi16384e6:pieces0:ee", "add up past")]
    [InlineData("d4:infod6:lengthi9223372036854775807e4:name1:x12:piece lengthi16384e6:pieces20:aaaaaaaaaaaaaaaaaaaaee", "need 562949953421312")]
    [InlineData("d4:infod6:lengthi1e", "not a torrent")]
    public void Invalid_torrents_are_rejected_naming_the_problem(string text, string reason)
    {
        var error = Assert.Throws<InvalidTorrentException>(() => Torrent.Parse(Encoding.ASCII.GetBytes(text)));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_torrent_with_fifty_thousand_files_parses()
    {
        var files = Enumerable.Range(0, 50_000).Select(i => (((long)i * 0x100000).ToString("x32"), 4096L)).ToArray();
        var total = 50_000L * 4096;
        var bytes = new TorrentBuilder { Name = "many", PieceLength = 1 << 22, Files = files, PieceHashes = Hashes((int)((total + (1 << 22) - 1) >> 22)) }.Build();
        var torrent = Torrent.Parse(bytes);
        Assert.Equal(50_000, torrent.Info.Files.Count);
        Assert.Equal(total, torrent.Info.TotalLength);
    }
}

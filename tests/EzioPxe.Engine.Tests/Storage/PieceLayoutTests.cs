using EzioPxe.Engine.Metainfo;
using EzioPxe.Engine.Storage;

namespace EzioPxe.Engine.Tests.Storage;

public class PieceLayoutTests
{
    private static TorrentInfo Info(int pieceLength, params long[] lengths)
    {
        var total = lengths.Sum();
        var files = lengths.Select((l, i) => ($"f{i}", l)).ToArray();
        return Torrent.Parse(new TorrentBuilder
        {
            Name = "t",
            PieceLength = pieceLength,
            Files = files,
            PieceHashes = new byte[(int)((total + pieceLength - 1) / pieceLength) * 20],
        }.Build()).Info;
    }

    [Fact]
    public void A_piece_spanning_several_files_maps_to_consecutive_runs()
    {
        var layout = new PieceLayout(Info(100, 30, 0, 50, 70));
        var spans = layout.Map(0, 0, 100);
        Assert.Equal(new[] { new FileSpan(0, 0, 0, 30), new FileSpan(2, 0, 30, 50), new FileSpan(3, 0, 80, 20) }, spans);
        Assert.Equal(new[] { new FileSpan(3, 20, 0, 50) }, layout.Map(1, 0, 50));
    }

    [Fact]
    public void A_block_inside_a_piece_maps_to_the_right_file_offset()
    {
        var layout = new PieceLayout(Info(64, 10, 100, 10));
        Assert.Equal(new[] { new FileSpan(1, 70, 0, 30), new FileSpan(2, 0, 30, 10) }, layout.Map(1, 16, 40));
    }

    [Fact]
    public void A_range_outside_the_piece_is_refused()
    {
        var layout = new PieceLayout(Info(64, 100));
        Assert.Throws<ArgumentOutOfRangeException>(() => layout.Map(1, 30, 10));
    }

    [Fact]
    public async Task FileSystemStorage_writes_pieces_into_files_and_reads_them_back()
    {
        using var dir = new EzioPxe.TestSupport.TempDirectory();
        var info = Info(64, 10, 100, 10);
        await using (var storage = new FileSystemStorage(info, dir.Path))
        {
            var piece = Enumerable.Range(0, 56).Select(i => (byte)i).ToArray(); // piece 1 of 120 bytes in 64-byte pieces
            await storage.WritePieceAsync(1, piece, CancellationToken.None);
            var back = new byte[12];
            await storage.ReadAsync(1, 44, back, CancellationToken.None);
            Assert.Equal(piece[44..], back);
            await storage.FlushAsync(CancellationToken.None);
        }
        Assert.Equal(100, new FileInfo(Path.Combine(dir.Path, "t", "f1")).Length);
        var bytes = File.ReadAllBytes(Path.Combine(dir.Path, "t", "f2"));
        Assert.Equal(Enumerable.Range(46, 10).Select(i => (byte)i).ToArray(), bytes);
    }
}

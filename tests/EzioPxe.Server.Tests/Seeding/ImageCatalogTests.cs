using EzioPxe.Engine.Metainfo;
using EzioPxe.Server.Configuration;
using EzioPxe.Server.Seeding;
using EzioPxe.Server.Tests.Http;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.Seeding;

/// <summary>Torrents made at start: when missing, again when the image file is newer, refused when they do not fit the image.</summary>
public sealed class ImageCatalogTests
{
    private static ServerSettings Settings(TempDirectory temp, string image, string? torrent = null)
    {
        var config = RunningServer.Config(temp.File("data"), image, c =>
        {
            if (torrent != null)
            {
                c["Images"]!["lab"]!["Torrent"] = torrent;
            }
            c["Images"]!["lab"]!["PieceSize"] = "1M";
        });
        File.WriteAllText(temp.File("eziopxe.json"), config.ToJsonString());
        return ConfigurationLoader.Load(ConfigurationLoader.Build(temp.File("eziopxe.json"), [], new Dictionary<string, string?>()));
    }

    [Fact]
    public void A_missing_torrent_is_made_and_made_again_when_the_image_changes()
    {
        using var temp = new TempDirectory("catalog");
        var image = TestImage.Create(temp.File("lab.img"), seed: 5, dataBytes: 1L << 20);
        var log = new CollectingLogger();
        var settings = Settings(temp, image);
        var first = ImageCatalog.Load(settings, log).Images.Single();
        var torrentPath = temp.File("data/lab.torrent");
        Assert.True(File.Exists(torrentPath), log.Text);
        Assert.Equal(1 << 20, first.Torrent.Info.PieceLength);
        Assert.Contains("creating " + torrentPath, log.Text, StringComparison.Ordinal);

        // Unchanged image: the torrent is used as it is.
        var written = File.GetLastWriteTimeUtc(torrentPath);
        var again = ImageCatalog.Load(settings, new CollectingLogger()).Images.Single();
        Assert.Equal(first.Torrent.InfoHash, again.Torrent.InfoHash);
        Assert.Equal(written, File.GetLastWriteTimeUtc(torrentPath));

        // New data in the image (a boot loader in the gap before the partition travels), and a later mtime: a new torrent.
        using (var file = new FileStream(image, FileMode.Open))
        {
            file.Position = 64 << 10;
            file.Write(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8 });
        }
        File.SetLastWriteTimeUtc(image, written.AddSeconds(5));
        var log3 = new CollectingLogger();
        var changed = ImageCatalog.Load(settings, log3).Images.Single();
        Assert.Contains("the image file is newer", log3.Text, StringComparison.Ordinal);
        Assert.NotEqual(first.Torrent.InfoHash, changed.Torrent.InfoHash);
    }

    [Fact]
    public void A_torrent_of_another_disk_is_refused_naming_the_image()
    {
        using var temp = new TempDirectory("catalog");
        var image = TestImage.Create(temp.File("lab.img"), seed: 6, dataBytes: 1L << 20);
        var other = TestImage.Create(temp.File("other.img"), seed: 7, dataBytes: 1L << 20);
        using (var file = new FileStream(other, FileMode.Open))
        {
            file.SetLength(96L << 20); // Same extents, bigger disk.
        }
        var settings = Settings(temp, image, torrent: temp.File("given.torrent"));
        ImageCatalog.Load(Settings(temp, other, torrent: temp.File("given.torrent")), new CollectingLogger());
        File.SetLastWriteTimeUtc(temp.File("given.torrent"), DateTime.UtcNow.AddMinutes(1));
        var error = Assert.Throws<ConfigurationException>(() => ImageCatalog.Load(settings, new CollectingLogger()));
        Assert.Contains("Images:lab: " + temp.File("given.torrent") + " was made from a disk of 100663296 bytes", error.Message, StringComparison.Ordinal);
    }
}

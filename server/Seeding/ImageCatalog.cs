using EzioPxe.Engine.Metainfo;
using EzioPxe.Server.Configuration;
using EzioPxe.Imaging;
using EzioPxe.Imaging.Hashing;
using EzioPxe.Imaging.Torrent;
using Microsoft.Extensions.Logging;

namespace EzioPxe.Server.Seeding;

/// <summary>
/// The configured images with their torrents. At start, a torrent that is missing, or older
/// than its image file, is (re)made with the Imaging code, as `eziopxe image create` would.
/// </summary>
public sealed class ImageCatalog
{
    private ImageCatalog(IReadOnlyList<ServedImage> images) => Images = images;

    public IReadOnlyList<ServedImage> Images { get; }

    public ServedImage? Find(string name) => Images.FirstOrDefault(i => string.Equals(i.Name, name, StringComparison.OrdinalIgnoreCase));

    /// <summary>Loads every image; throws <see cref="ConfigurationException"/> naming each image that cannot be served.</summary>
    public static ImageCatalog Load(ServerSettings settings, ILogger logger)
    {
        var images = new List<ServedImage>();
        var problems = new List<string>();
        foreach (var image in settings.Images)
        {
            try
            {
                images.Add(LoadOne(image, DefaultAnnounceUrl(settings), logger));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or DiskFormatException or InvalidTorrentException or InvalidDataException or InvalidOperationException)
            {
                problems.Add($"Images:{image.Name}: {e.Message}");
            }
        }
        return problems.Count > 0 ? throw new ConfigurationException(problems) : new ImageCatalog(images);
    }

    /// <summary>The announce URL written into torrents made at start; served copies get the URL the client used (see TorrentEndpoints).</summary>
    public static string DefaultAnnounceUrl(ServerSettings settings)
    {
        var host = settings.Server.PublicAddress
            ?? (settings.Address.Equals(System.Net.IPAddress.Any) || settings.Address.Equals(System.Net.IPAddress.IPv6Any) ? System.Net.Dns.GetHostName() : settings.Address.ToString());
        if (host.Contains(':', StringComparison.Ordinal))
        {
            host = $"[{host}]";
        }
        return $"http://{host}:{settings.Server.HttpPort}/announce";
    }

    private static ServedImage LoadOne(ConfiguredImage image, string announce, ILogger logger)
    {
        if (Directory.Exists(image.SourcePath))
        {
            return LoadSlices(image, logger);
        }
        var torrentPath = image.TorrentPath;
        // stat() gives a block device st_size 0, an image file its length: only a file's mtime says "changed".
        var sourceIsFile = new FileInfo(image.SourcePath).Length > 0;
        var reason = !File.Exists(torrentPath) ? "it does not exist"
            : sourceIsFile && File.GetLastWriteTimeUtc(image.SourcePath) > File.GetLastWriteTimeUtc(torrentPath) ? "the image file is newer"
            : null;
        if (reason != null)
        {
            logger.LogInformation("image {Name}: creating {Torrent} from {Source} ({Reason})", image.Name, torrentPath, image.SourcePath, reason);
            Create(image, announce, logger);
        }
        var torrent = Torrent.Load(torrentPath);
        var storage = new ImageStorage(torrent.Info, image.SourcePath);
        storage.DisposeAsync().AsTask().GetAwaiter().GetResult(); // Only its checks and the source length were wanted.
        var diskSize = ImageTorrent.DiskSize(torrent);
        if (diskSize != null && diskSize != storage.SourceLength)
        {
            throw new InvalidDataException(
                $"{torrentPath} was made from a disk of {diskSize} bytes but {image.SourcePath} has {storage.SourceLength}; delete the torrent (it is made again at start) or run `eziopxe image create`");
        }
        logger.LogInformation("image {Name}: {Torrent}, info-hash {InfoHash}, {Extents} extents, {Bytes} bytes to send",
            image.Name, torrentPath, torrent.InfoHash.ToHex(), torrent.Info.Files.Count, torrent.Info.TotalLength);
        return new ServedImage(image, torrent, storage.SourceLength);
    }

    /// <summary>
    /// A Clonezilla BitTorrent slices directory (btzone/IMAGE/sda1, partclone -T): its torrent is
    /// Clonezilla's (btzone/IMAGE/sda1.torrent beside it, made by ocs-btsrv from partclone's
    /// torrent.info); the server does not make one, it checks that every slice is there.
    /// </summary>
    private static ServedImage LoadSlices(ConfiguredImage image, ILogger logger)
    {
        if (!File.Exists(image.TorrentPath))
        {
            throw new InvalidDataException(
                $"{image.SourcePath} is a directory (Clonezilla BitTorrent slices) but its torrent {image.TorrentPath} does not exist; make it as Clonezilla does (ocs-btsrv, or gen-torrent-from-ptcl from partclone's torrent.info) or name it with Torrent");
        }
        var torrent = Torrent.Load(image.TorrentPath);
        if (ImageTorrent.DiskSize(torrent) != null)
        {
            throw new InvalidDataException($"{image.TorrentPath} is a whole-disk image's torrent (it has {ImageTorrent.DiskSizeKey}), not one of the slices in {image.SourcePath}");
        }
        var storage = new SliceDirectoryStorage(torrent.Info, image.SourcePath);
        logger.LogInformation("image {Name}: Clonezilla slices {Source}, torrent {Torrent}, info-hash {InfoHash}, {Extents} slices, {Bytes} bytes to send, a partition of at least {End} bytes",
            image.Name, image.SourcePath, image.TorrentPath, torrent.InfoHash.ToHex(), torrent.Info.Files.Count, torrent.Info.TotalLength, storage.End);
        return new ServedImage(image, torrent, storage.End);
    }

    private static void Create(ConfiguredImage image, string announce, ILogger logger)
    {
        using var disk = DiskImage.Open(image.SourcePath);
        var started = DateTime.UtcNow;
        var (scan, pieceLength, hashes, onePass) = ImageHashing.ScanAndHash(disk, image.PieceLength);
        if (scan.Extents.Count == 0)
        {
            throw new InvalidDataException($"{image.SourcePath}: nothing to send: every byte of the disk is unused or zero");
        }
        var bytes = ImageTorrent.Build(scan, image.Name, pieceLength, hashes, announce);
        Directory.CreateDirectory(Path.GetDirectoryName(image.TorrentPath)!);
        // Write beside and rename: a crash never leaves half a torrent that looks newer than the image.
        var temporary = image.TorrentPath + ".partial";
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, image.TorrentPath, overwrite: true);
        logger.LogInformation("image {Name}: scanned and hashed {Bytes} bytes in {Extents} extents in {Seconds:0.0} s ({Reads})",
            image.Name, scan.UsedBytes, scan.Extents.Count, (DateTime.UtcNow - started).TotalSeconds, onePass ? "one read" : "read twice");
    }
}

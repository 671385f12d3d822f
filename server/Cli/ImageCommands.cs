using System.Diagnostics;
using System.Globalization;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Imaging;
using EzioPxe.Imaging.Hashing;
using EzioPxe.Imaging.Torrent;

namespace EzioPxe.Server.Cli;

/// <summary>
/// `eziopxe image create SOURCE [--name NAME] [--piece-size SIZE] [--announce URL] [--output FILE]`
/// and `eziopxe image inspect NAME.torrent`. Exit codes: 0 done, 1 failed (message on stderr),
/// 2 bad usage.
/// </summary>
public static class ImageCommands
{
    public const string CreateUsage =
        "usage: eziopxe image create SOURCE [--name NAME] [--piece-size SIZE] [--announce URL] [--output FILE]\n" +
        "  SOURCE      raw disk image file or block device\n" +
        "  --name      torrent name (default: SOURCE's file name without extension)\n" +
        "  --piece-size  e.g. 4M; a power of two from 16K to 64M (default: chosen for the image size)\n" +
        "  --announce  tracker URL (default: " + "http://<this host>:8080/announce)\n" +
        "  --output    where to write the torrent (default: NAME.torrent)";

    public const string InspectUsage = "usage: eziopxe image inspect FILE.torrent";

    /// <summary>The tracker URL written when --announce is not given: this host's name, the server's default HTTP port.</summary>
    public static string DefaultAnnounceUrl => $"http://{System.Net.Dns.GetHostName()}:8080/announce";

    public static int Create(string[] args) => Create(args, Console.Out, Console.Error);

    public static int Create(string[] args, TextWriter output, TextWriter error)
    {
        string? source = null, name = null, announce = null, outputPath = null, pieceSizeText = null;
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            try
            {
                switch (args[i])
                {
                    case "--name": name = Value(); break;
                    case "--piece-size": pieceSizeText = Value(); break;
                    case "--announce": announce = Value(); break;
                    case "--output" or "-o": outputPath = Value(); break;
                    case "-h" or "--help": output.WriteLine(CreateUsage); return 0;
                    default:
                        if (args[i].StartsWith('-') || source != null)
                        {
                            throw new ArgumentException($"unexpected argument '{args[i]}'");
                        }
                        source = args[i];
                        break;
                }
            }
            catch (ArgumentException e)
            {
                error.WriteLine($"eziopxe image create: {e.Message}\n{CreateUsage}");
                return 2;
            }
        }
        if (source == null)
        {
            error.WriteLine(CreateUsage);
            return 2;
        }
        int? pieceLength = null;
        if (pieceSizeText != null)
        {
            try
            {
                pieceLength = PieceLength.Parse(pieceSizeText);
            }
            catch (FormatException e)
            {
                error.WriteLine($"eziopxe image create: {e.Message}");
                return 2;
            }
        }
        name ??= Path.GetFileNameWithoutExtension(source);
        outputPath ??= name + ".torrent";
        announce ??= DefaultAnnounceUrl;

        try
        {
            using var disk = DiskImage.Open(source);
            var clock = Stopwatch.StartNew();
            var lastGiB = 0L;
            var progress = new Progress(done =>
            {
                // The total is known only at the end of the read that hashes it: report every GiB.
                if (done >> 30 > lastGiB)
                {
                    lastGiB = done >> 30;
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {lastGiB} GiB hashed ({done / Math.Max(clock.Elapsed.TotalSeconds, 0.001) / (1 << 20):0} MiB/s)"));
                }
            });
            var hashed = ImageHashing.ScanAndHash(disk, pieceLength, progress);
            var scan = hashed.Scan;
            output.WriteLine(hashed.OnePass
                ? $"Scanned and hashed {source} in one read in {clock.Elapsed.TotalSeconds:0.0} s"
                : $"Scanned {source}, then read its extents again to hash them, in {clock.Elapsed.TotalSeconds:0.0} s");
            ImageReport.Write(output, ImageLayout.FromScan(scan), scan.DiskSize, scan.UsedBytes);
            if (scan.Extents.Count == 0)
            {
                error.WriteLine("eziopxe image create: nothing to send: every byte of the disk is unused or zero");
                return 1;
            }
            var pieces = (scan.UsedBytes + hashed.PieceLength - 1) / hashed.PieceLength;
            output.WriteLine($"Hashed {ImageReport.Size(scan.UsedBytes)} in {scan.Extents.Count} extents, {pieces} pieces of {ImageReport.Size(hashed.PieceLength)}");
            var bytes = ImageTorrent.Build(scan, name, hashed.PieceLength, hashed.PieceHashes, announce);
            File.WriteAllBytes(outputPath, bytes);
            var torrent = Engine.Metainfo.Torrent.Parse(bytes);
            output.WriteLine($"Wrote {outputPath}: {torrent.Info.Files.Count} files, info-hash {torrent.InfoHash.ToHex()}");
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DiskFormatException or InvalidOperationException)
        {
            error.WriteLine($"eziopxe image create: {e.Message}");
            return 1;
        }
    }

    public static int Inspect(string[] args) => Inspect(args, Console.Out, Console.Error);

    public static int Inspect(string[] args, TextWriter output, TextWriter error)
    {
        if (args.Length != 1 || args[0].StartsWith('-'))
        {
            error.WriteLine(InspectUsage);
            return 2;
        }
        try
        {
            var torrent = Engine.Metainfo.Torrent.Load(args[0]);
            var info = torrent.Info;
            output.WriteLine($"{args[0]}: \"{info.Name}\", info-hash {torrent.InfoHash.ToHex()}, {(info.IsPrivate ? "private" : "public")}, tracker {torrent.Announce ?? "(none)"}");
            output.WriteLine($"  {info.Files.Count} extents, {ImageReport.Size(info.TotalLength)} in {info.PieceCount} pieces of {ImageReport.Size(info.PieceLength)}");
            var diskSize = ImageTorrent.DiskSize(torrent);
            var layout = ImageTorrent.Layout(torrent);
            if (diskSize == null || layout == null)
            {
                output.WriteLine($"  not an EzioPxe disk image (no {ImageTorrent.DiskSizeKey}/{ImageTorrent.LayoutKey}); first files:");
                foreach (var file in info.Files.Take(10))
                {
                    output.WriteLine($"    {file.Path}  {file.Length}");
                }
                return 0;
            }
            ImageReport.Write(output, layout, diskSize.Value, info.TotalLength);
            return 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidTorrentException or FormatException)
        {
            error.WriteLine($"eziopxe image inspect: {e.Message}");
            return 1;
        }
    }

    private sealed class Progress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}

namespace EzioPxe.Server.Configuration;

/// <summary>One entry of "Images": a disk image to seed.</summary>
public sealed class ImageOptions
{
    /// <summary>Raw disk image file or block device, or a Clonezilla BitTorrent slices directory (btzone/IMAGE/sda1).</summary>
    public string? Source { get; set; }

    /// <summary>
    /// The image's .torrent; default DATA_DIRECTORY/NAME.torrent, created at start when missing or
    /// older than the source. For a slices directory: Clonezilla's, default SOURCE.torrent beside it.
    /// </summary>
    public string? Torrent { get; set; }

    /// <summary>Piece size for a torrent created at start, e.g. "4M"; default chosen for the image size.</summary>
    public string? PieceSize { get; set; }
}

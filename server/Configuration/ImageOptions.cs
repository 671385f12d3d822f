namespace EzioPxe.Server.Configuration;

/// <summary>One entry of "Images": a disk image to seed.</summary>
public sealed class ImageOptions
{
    /// <summary>Raw disk image file or block device.</summary>
    public string? Source { get; set; }

    /// <summary>The image's .torrent; default DATA_DIRECTORY/NAME.torrent. Created at start when missing or older than the source.</summary>
    public string? Torrent { get; set; }

    /// <summary>Piece size for a torrent created at start, e.g. "4M"; default chosen for the image size.</summary>
    public string? PieceSize { get; set; }
}

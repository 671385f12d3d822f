namespace EzioPxe.Contracts.Images;

/// <summary>
/// Keys EzioPxe adds to an image torrent's info dictionary (covered by the info-hash, ignored by
/// other BitTorrent clients). See docs/image-format.md.
/// </summary>
public static class ImageInfoKeys
{
    /// <summary>Bytes of the whole disk the image was taken from; clients refuse a smaller target.</summary>
    public const string DiskSize = "x-eziopxe-disk-size";

    /// <summary>The partition table and file systems as scanned, for `image inspect`.</summary>
    public const string Layout = "x-eziopxe-layout";
}

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

    /// <summary>Ranges that must read as zeros on the target and do not travel (<see cref="ZeroRangeList"/>).</summary>
    public const string Zero = "x-eziopxe-zero";

    /// <summary>
    /// The golden's GPT header (its first header-size bytes, as at LBA 1). The two header sectors
    /// do not travel: the client writes both, fitted to the target's size (<see cref="GptFit"/>).
    /// </summary>
    public const string GptHeader = "x-eziopxe-gpt-header";
}

namespace EzioPxe.Imaging.Torrent;

/// <summary>One partition as recorded in an image torrent (see docs/image-format.md, "x-eziopxe-layout").</summary>
public sealed record ImageLayoutPartition(
    int Index,
    long Start,
    long Length,
    string Type,
    string Name,
    string FileSystem,
    string Label,
    long UsedBytes,
    bool KeptWhole);

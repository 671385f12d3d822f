using EzioPxe.Engine.Bencode;

namespace EzioPxe.Imaging.Torrent;

/// <summary>
/// The partition/filesystem summary of an image, stored in the torrent's info dictionary under
/// "x-eziopxe-layout" so that `image inspect` can show it and the info-hash covers it:
/// d table=mbr|gpt|none, outside-partitions=bytes, partitions=[d index start length type name
/// filesystem label used kept-whole e ...], notes=[strings], zeroed=bytes the client zeroes e.
/// </summary>
public sealed record ImageLayout(
    string PartitionTable,
    long OutsidePartitionsBytes,
    IReadOnlyList<ImageLayoutPartition> Partitions,
    IReadOnlyList<string> Notes,
    long ZeroedBytes = 0)
{
    public static ImageLayout FromScan(DiskScan scan) => new(
        scan.PartitionTable.ToString().ToLowerInvariant(),
        scan.BootRegionBytes,
        scan.Partitions.Select(p => new ImageLayoutPartition(
            p.Index, p.Start, p.Length, p.Type, p.Name, DiskScanner.Describe(p.FileSystem), p.Label, p.UsedBytes, p.KeptWhole)).ToList(),
        scan.AllNotes.ToList(),
        scan.ZeroBytes);

    public BDictionary ToBencode()
    {
        var partitions = new BList();
        foreach (var p in Partitions)
        {
            var d = new BDictionary();
            d.Set("index", p.Index);
            d.Set("start", p.Start);
            d.Set("length", p.Length);
            d.Set("type", p.Type);
            d.Set("name", p.Name);
            d.Set("filesystem", p.FileSystem);
            d.Set("label", p.Label);
            d.Set("used", p.UsedBytes);
            d.Set("kept-whole", p.KeptWhole ? 1 : 0);
            partitions.Add(d);
        }
        var layout = new BDictionary();
        layout.Set("table", PartitionTable);
        layout.Set("outside-partitions", OutsidePartitionsBytes);
        layout.Set("partitions", partitions);
        layout.Set("notes", new BList(Notes.Select(n => (BValue)new BString(n))));
        layout.Set("zeroed", ZeroedBytes);
        return layout;
    }

    /// <summary>Reads the layout back; throws <see cref="FormatException"/> naming the key that is missing or mistyped.</summary>
    public static ImageLayout FromBencode(BDictionary layout)
    {
        var partitions = new List<ImageLayoutPartition>();
        foreach (var item in (layout.GetList("partitions") ?? throw Missing("partitions")).Items)
        {
            var d = item as BDictionary ?? throw new FormatException("x-eziopxe-layout: a partition entry is not a dictionary");
            partitions.Add(new ImageLayoutPartition(
                (int)Integer(d, "index"), Integer(d, "start"), Integer(d, "length"), Text(d, "type"), Text(d, "name"),
                Text(d, "filesystem"), Text(d, "label"), Integer(d, "used"), Integer(d, "kept-whole") != 0));
        }
        var notes = layout.GetList("notes")?.Items.Select(n => (n as BString)?.Text ?? "").ToList() ?? new List<string>();
        // "zeroed" came with x-eziopxe-zero; older torrents have neither.
        return new ImageLayout(Text(layout, "table"), Integer(layout, "outside-partitions"), partitions, notes, layout.GetInteger("zeroed")?.Value ?? 0);
    }

    private static long Integer(BDictionary d, string key) => d.GetInteger(key)?.Value ?? throw Missing(key);

    private static string Text(BDictionary d, string key) => d.GetString(key)?.Text ?? throw Missing(key);

    private static FormatException Missing(string key) => new($"x-eziopxe-layout: '{key}' is missing or has the wrong type");
}

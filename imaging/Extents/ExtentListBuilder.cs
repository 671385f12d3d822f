namespace EzioPxe.Imaging.Extents;

/// <summary>
/// Collects extents in any order and hands them back sorted, with overlapping and touching
/// extents merged: the set of bytes that will travel. Appends in ascending order (the common
/// case: bitmaps are walked front to back) merge on the fly, so the list stays small.
/// </summary>
public sealed class ExtentListBuilder
{
    private readonly List<Extent> _extents = new();

    public void Add(long offset, long length)
    {
        if (length <= 0)
        {
            return;
        }
        if (_extents.Count > 0)
        {
            var last = _extents[^1];
            if (offset >= last.Offset && offset <= last.End)
            {
                if (offset + length > last.End)
                {
                    _extents[^1] = new Extent(last.Offset, offset + length - last.Offset);
                }
                return;
            }
        }
        _extents.Add(new Extent(offset, length));
    }

    public void Add(Extent extent) => Add(extent.Offset, extent.Length);

    public void AddRange(IEnumerable<Extent> extents, long shift = 0)
    {
        foreach (var extent in extents)
        {
            Add(extent.Offset + shift, extent.Length);
        }
    }

    /// <summary>Sorted, merged extents, cut to [0, limit).</summary>
    public List<Extent> Build(long limit = long.MaxValue)
    {
        var sorted = new List<Extent>(_extents);
        sorted.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        var merged = new List<Extent>(sorted.Count);
        foreach (var extent in sorted)
        {
            var start = Math.Max(extent.Offset, 0);
            var end = Math.Min(extent.End, limit);
            if (end <= start)
            {
                continue;
            }
            if (merged.Count > 0 && start <= merged[^1].End)
            {
                var last = merged[^1];
                if (end > last.End)
                {
                    merged[^1] = new Extent(last.Offset, end - last.Offset);
                }
                continue;
            }
            merged.Add(new Extent(start, end - start));
        }
        return merged;
    }

    /// <summary>Total bytes of a sorted, merged extent list.</summary>
    public static long TotalLength(IEnumerable<Extent> extents) => extents.Sum(e => e.Length);
}

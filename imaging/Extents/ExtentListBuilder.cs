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

    /// <summary>Adds <paramref name="extents"/> and returns this builder, for one-line lists.</summary>
    public ExtentListBuilder Also(IEnumerable<Extent> extents)
    {
        AddRange(extents);
        return this;
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

    /// <summary>The parts of sorted, merged <paramref name="from"/> that no extent of sorted, merged <paramref name="remove"/> covers.</summary>
    public static List<Extent> Subtract(IReadOnlyList<Extent> from, IReadOnlyList<Extent> remove)
    {
        var result = new List<Extent>(from.Count);
        var r = 0;
        foreach (var extent in from)
        {
            var position = extent.Offset;
            while (r < remove.Count && remove[r].End <= position)
            {
                r++;
            }
            for (var i = r; i < remove.Count && remove[i].Offset < extent.End; i++)
            {
                if (remove[i].Offset > position)
                {
                    result.Add(new Extent(position, remove[i].Offset - position));
                }
                position = Math.Max(position, remove[i].End);
            }
            if (position < extent.End)
            {
                result.Add(new Extent(position, extent.End - position));
            }
        }
        return result;
    }
}

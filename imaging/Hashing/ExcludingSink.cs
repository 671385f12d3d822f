using EzioPxe.Imaging.Extents;

namespace EzioPxe.Imaging.Hashing;

/// <summary>
/// Passes on what travels minus a few sorted ranges: the two GPT header sectors, which the scan
/// reads inside the boot regions but which do not travel (the client writes them fitted to its disk).
/// </summary>
internal sealed class ExcludingSink(ITravelSink inner, IReadOnlyList<Extent> excluded) : ITravelSink
{
    public void Data(long offset, ReadOnlySpan<byte> bytes)
    {
        // The scan hands over every 4 KiB block that travels: only the few near a header sector
        // need cutting, the rest pass as they are.
        if (!Touches(offset, offset + bytes.Length))
        {
            inner.Data(offset, bytes);
            return;
        }
        foreach (var (start, end) in Kept(offset, offset + bytes.Length))
        {
            inner.Data(start, bytes[(int)(start - offset)..(int)(end - offset)]);
        }
    }

    public void Zeros(long offset, long length)
    {
        if (!Touches(offset, offset + length))
        {
            inner.Zeros(offset, length);
            return;
        }
        foreach (var (start, end) in Kept(offset, offset + length))
        {
            inner.Zeros(start, end - start);
        }
    }

    private bool Touches(long from, long to)
    {
        foreach (var range in excluded)
        {
            if (range.Offset < to && from < range.End)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The parts of [from, to) outside every excluded range.</summary>
    private IEnumerable<(long Start, long End)> Kept(long from, long to)
    {
        var position = from;
        foreach (var range in excluded)
        {
            if (range.End <= position || range.Offset >= to)
            {
                continue;
            }
            if (range.Offset > position)
            {
                yield return (position, range.Offset);
            }
            position = Math.Max(position, range.End);
        }
        if (position < to)
        {
            yield return (position, to);
        }
    }
}

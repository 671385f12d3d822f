namespace EzioPxe.Engine.Bencode;

/// <summary>A bencoded list (<c>l...e</c>).</summary>
public sealed class BList : BValue
{
    public BList()
    {
    }

    public BList(IEnumerable<BValue> items) => Items.AddRange(items);

    public List<BValue> Items { get; } = new();

    public int Count => Items.Count;

    public BValue this[int index] => Items[index];

    public void Add(BValue value) => Items.Add(value);
}

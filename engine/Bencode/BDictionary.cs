using System.Text;

namespace EzioPxe.Engine.Bencode;

/// <summary>
/// A bencoded dictionary (<c>d...e</c>). Keys are byte strings; the encoder writes them sorted
/// by raw bytes as BEP 3 requires, and the parser rejects input that is not so sorted.
/// </summary>
public sealed class BDictionary : BValue
{
    private readonly SortedDictionary<byte[], BValue> _entries = new(ByteArrayComparer.Instance);

    public int Count => _entries.Count;

    public IEnumerable<KeyValuePair<byte[], BValue>> Entries => _entries;

    public BValue? this[string key]
    {
        get => _entries.GetValueOrDefault(Encoding.UTF8.GetBytes(key));
        set
        {
            var bytes = Encoding.UTF8.GetBytes(key);
            if (value == null)
            {
                _entries.Remove(bytes);
            }
            else
            {
                _entries[bytes] = value;
            }
        }
    }

    internal void AddParsed(byte[] key, BValue value) => _entries.Add(key, value);

    public bool ContainsKey(string key) => _entries.ContainsKey(Encoding.UTF8.GetBytes(key));

    public void Set(string key, BValue value) => this[key] = value;

    public void Set(string key, long value) => this[key] = new BInteger(value);

    public void Set(string key, string value) => this[key] = new BString(value);

    public void Set(string key, ReadOnlyMemory<byte> value) => this[key] = new BString(value);

    public BString? GetString(string key) => this[key] as BString;

    public BInteger? GetInteger(string key) => this[key] as BInteger;

    public BList? GetList(string key) => this[key] as BList;

    public BDictionary? GetDictionary(string key) => this[key] as BDictionary;
}

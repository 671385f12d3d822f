namespace EzioPxe.Server.Tracker;

/// <summary>
/// The raw parameters of a tracker query. info_hash and peer_id are 20 arbitrary bytes sent
/// percent-encoded (BEP 3), so they must be decoded to bytes, never through a text decoder that
/// would turn invalid UTF-8 into U+FFFD. '+' stays a '+' (clients escape it; opentracker does the same).
/// </summary>
public sealed class QueryParameters
{
    private readonly List<(string Name, byte[] Value)> _parameters;

    private QueryParameters(List<(string, byte[])> parameters) => _parameters = parameters;

    /// <summary>Splits "a=1&amp;b=%20" (with or without the leading '?'); null when an escape is malformed.</summary>
    public static QueryParameters? Parse(ReadOnlySpan<char> query, out string? error)
    {
        error = null;
        if (query.StartsWith("?"))
        {
            query = query[1..];
        }
        var parameters = new List<(string, byte[])>();
        foreach (var range in query.Split('&'))
        {
            var pair = query[range];
            if (pair.IsEmpty)
            {
                continue;
            }
            var equals = pair.IndexOf('=');
            var name = equals < 0 ? pair : pair[..equals];
            var value = equals < 0 ? ReadOnlySpan<char>.Empty : pair[(equals + 1)..];
            var decodedName = Decode(name);
            var decodedValue = Decode(value);
            if (decodedName == null || decodedValue == null)
            {
                error = $"malformed percent-escape in '{pair.ToString()}'";
                return null;
            }
            parameters.Add((System.Text.Encoding.ASCII.GetString(decodedName), decodedValue));
        }
        return new QueryParameters(parameters);
    }

    /// <summary>The first value of <paramref name="name"/>, or null.</summary>
    public byte[]? Get(string name)
    {
        foreach (var (n, v) in _parameters)
        {
            if (n == name)
            {
                return v;
            }
        }
        return null;
    }

    public string? GetText(string name) => Get(name) is { } bytes ? System.Text.Encoding.ASCII.GetString(bytes) : null;

    /// <summary>Every value of <paramref name="name"/> (scrape repeats info_hash).</summary>
    public IEnumerable<byte[]> GetAll(string name) => _parameters.Where(p => p.Name == name).Select(p => p.Value);

    private static byte[]? Decode(ReadOnlySpan<char> text)
    {
        var bytes = new byte[text.Length];
        var length = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '%')
            {
                if (i + 2 >= text.Length)
                {
                    return null;
                }
                var high = HexValue(text[i + 1]);
                var low = HexValue(text[i + 2]);
                if (high < 0 || low < 0)
                {
                    return null;
                }
                bytes[length++] = (byte)(high << 4 | low);
                i += 2;
            }
            else if (c > 0x7f)
            {
                return null;
            }
            else
            {
                bytes[length++] = (byte)c;
            }
        }
        return bytes.AsSpan(0, length).ToArray();
    }

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };
}

using System.Text;
using EzioPxe.Engine.Bencode;

namespace EzioPxe.Engine.Tests.Fuzzing;

/// <summary>
/// A seeded mutation fuzzer for bencode and the wire protocol: takes valid inputs and breaks them
/// a little (bytes changed, ranges cut or repeated, numbers swapped for boundary values, values
/// inside a dictionary replaced), so most inputs get deep into the parser instead of failing at
/// the first byte as random bytes would. Same seed, same inputs: a failure is reproduced by the
/// seed and round it reports. TestSupport's Mutator is the format-blind one; the budget and seed
/// come from FuzzBudget, like every fuzz test's.
/// </summary>
internal sealed class BencodeMutator
{
    private static readonly byte[][] Boundaries = new[]
    {
        "0", "1", "-1", "2147483647", "2147483648", "4294967296", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "99999999999999999999", "16384", "131072",
    }.Select(Encoding.ASCII.GetBytes).ToArray();

    private static readonly byte[] Structure = Encoding.ASCII.GetBytes("ilde:0123456789-");

    private readonly Random _random;

    public BencodeMutator(int seed) => _random = new Random(seed);

    public byte[] Mutate(byte[] input)
    {
        var bytes = new List<byte>(input);
        for (var n = _random.Next(1, 4); n > 0; n--)
        {
            MutateOnce(bytes);
        }
        return bytes.ToArray();
    }

    /// <summary>
    /// Changes a value inside the bencoded <paramref name="input"/> and encodes it again: the result
    /// is always canonical bencode, so it reaches the checks of what the values mean.
    /// </summary>
    public byte[] MutateValues(byte[] input)
    {
        var root = BencodeParser.Parse(input);
        for (var n = _random.Next(1, 3); n > 0; n--)
        {
            var slots = new List<(BValue Container, byte[]? Key, int Index)>();
            Collect(root, slots);
            if (slots.Count == 0)
            {
                break;
            }
            var (container, key, index) = slots[_random.Next(slots.Count)];
            var replacement = _random.Next(8) == 0 ? null : NewValue();
            if (container is BDictionary dictionary)
            {
                dictionary[Encoding.UTF8.GetString(key!)] = replacement;
            }
            else if (container is BList list)
            {
                if (replacement == null)
                {
                    list.Items.RemoveAt(index);
                }
                else if (_random.Next(4) == 0)
                {
                    list.Items.Insert(index, list.Items[index]); // the same entry twice
                }
                else
                {
                    list.Items[index] = replacement;
                }
            }
        }
        return BencodeWriter.Encode(root);
    }

    private static void Collect(BValue value, List<(BValue, byte[]?, int)> slots)
    {
        switch (value)
        {
            case BDictionary dictionary:
                foreach (var (key, child) in dictionary.Entries.ToList())
                {
                    slots.Add((dictionary, key, 0));
                    Collect(child, slots);
                }
                break;
            case BList list:
                for (var i = 0; i < list.Count; i++)
                {
                    slots.Add((list, null, i));
                    Collect(list[i], slots);
                }
                break;
        }
    }

    private BValue NewValue() => _random.Next(6) switch
    {
        0 or 1 => new BInteger(ParseBoundary()),
        2 => new BString(new[] { "", "..", ".", "a/b", "x", "\\", "\0" }[_random.Next(7)]),
        3 => new BString(new byte[_random.Next(3) * 20 + _random.Next(2)]),
        4 => new BList(),
        _ => new BDictionary(),
    };

    private long ParseBoundary()
    {
        var text = Encoding.ASCII.GetString(Boundaries[_random.Next(Boundaries.Length)]);
        return long.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var value) ? value : long.MaxValue;
    }

    private void MutateOnce(List<byte> bytes)
    {
        if (bytes.Count == 0)
        {
            bytes.Add(Structure[_random.Next(Structure.Length)]);
            return;
        }
        var at = _random.Next(bytes.Count);
        switch (_random.Next(7))
        {
            case 0:
                bytes[at] = (byte)_random.Next(256);
                break;
            case 1:
                bytes[at] = Structure[_random.Next(Structure.Length)];
                break;
            case 2:
                bytes.RemoveRange(at, Math.Min(bytes.Count - at, _random.Next(1, 9)));
                break;
            case 3:
            {
                var length = Math.Min(bytes.Count - at, _random.Next(1, 33));
                var copy = bytes.GetRange(at, length);
                bytes.InsertRange(_random.Next(bytes.Count + 1), copy);
                break;
            }
            case 4:
                ReplaceNumber(bytes, at);
                break;
            case 5:
                bytes.RemoveRange(at, bytes.Count - at);
                break;
            default:
                bytes[at] = (byte)(bytes[at] + (_random.Next(2) == 0 ? 1 : -1));
                break;
        }
    }

    /// <summary>Replaces the run of digits at or after <paramref name="at"/> with a boundary value: where overflows hide.</summary>
    private void ReplaceNumber(List<byte> bytes, int at)
    {
        var start = at;
        while (start < bytes.Count && !char.IsAsciiDigit((char)bytes[start]))
        {
            start++;
        }
        if (start == bytes.Count)
        {
            return;
        }
        var end = start;
        while (end < bytes.Count && char.IsAsciiDigit((char)bytes[end]))
        {
            end++;
        }
        if (start > 0 && bytes[start - 1] == '-')
        {
            start--;
        }
        bytes.RemoveRange(start, end - start);
        bytes.InsertRange(start, Boundaries[_random.Next(Boundaries.Length)]);
    }
}

using System.Text;

namespace EzioPxe.TestSupport.Fuzzing;

/// <summary>
/// Seeded mutations of valid inputs, in the manner of AFL's "havoc" stage: bit flips, random and
/// boundary bytes and 32/64-bit words, inserted, deleted and duplicated runs, truncation. Starting
/// from valid inputs keeps most mutants deep enough to reach the code behind the first checks.
/// </summary>
public sealed class Mutator(int seed)
{
    private static readonly byte[] InterestingBytes = [0, 1, 0x7f, 0x80, 0xff, (byte)'0', (byte)'9', (byte)'-', (byte)':', (byte)'e', (byte)'i', (byte)'l', (byte)'d'];
    private static readonly long[] InterestingWords = [0, 1, -1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, int.MaxValue, int.MinValue, uint.MaxValue, long.MaxValue, long.MinValue];
    private static readonly string[] InterestingTokens =
    [
        "%", "%00", "%zz", "=", "&", " ", "\"", "\\", "\n", "\0", "-1", "0", "99999999999999999999", "9223372036854775808",
        "[", "]", "{", "}", ",", ":", "null", "true", "1e309", "\u00e9", "\ud83d\ude00", "\ud800", new string('a', 300),
    ];

    public Random Random { get; } = new(seed);

    public byte[] Mutate(ReadOnlySpan<byte> input, int maxMutations = 8)
    {
        var data = new List<byte>(input.ToArray());
        for (var count = 1 + Random.Next(maxMutations); count > 0; count--)
        {
            var at = data.Count == 0 ? 0 : Random.Next(data.Count);
            switch (Random.Next(8))
            {
                case 0 when data.Count > 0:
                    data[at] ^= (byte)(1 << Random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[at] = (byte)Random.Next(256);
                    break;
                case 2 when data.Count > 0:
                    data[at] = InterestingBytes[Random.Next(InterestingBytes.Length)];
                    break;
                case 3:
                    var word = BitConverter.GetBytes(InterestingWords[Random.Next(InterestingWords.Length)]);
                    var width = Random.Next(2) == 0 ? 4 : 8;
                    for (var i = 0; i < width && at + i < data.Count; i++)
                    {
                        data[at + i] = Random.Next(2) == 0 ? word[i] : word[width - 1 - i]; // either byte order
                    }
                    break;
                case 4:
                    var inserted = new byte[1 + Random.Next(16)];
                    Random.NextBytes(inserted);
                    data.InsertRange(Math.Min(at, data.Count), inserted);
                    break;
                case 5 when data.Count > 1:
                    data.RemoveRange(at, Math.Min(1 + Random.Next(16), data.Count - at));
                    break;
                case 6 when data.Count > 1:
                    var length = Math.Min(1 + Random.Next(32), data.Count - at);
                    data.InsertRange(Random.Next(data.Count), data.GetRange(at, length));
                    break;
                case 7 when data.Count > 1:
                    data.RemoveRange(at, data.Count - at); // truncated here
                    break;
            }
        }
        return data.ToArray();
    }

    /// <summary>Text inputs (queries, command lines, JSON): byte mutations plus tokens that parsers treat specially.</summary>
    public string MutateText(string input, int maxMutations = 6)
    {
        var text = new StringBuilder(input);
        for (var count = 1 + Random.Next(maxMutations); count > 0; count--)
        {
            var at = Random.Next(text.Length + 1);
            switch (Random.Next(4))
            {
                case 0:
                    text.Insert(at, InterestingTokens[Random.Next(InterestingTokens.Length)]);
                    break;
                case 1 when text.Length > 0 && at < text.Length:
                    text.Remove(at, Math.Min(1 + Random.Next(8), text.Length - at));
                    break;
                case 2 when text.Length > 0 && at < text.Length:
                    text[at] = (char)Random.Next(32, 127);
                    break;
                default:
                    var bytes = Mutate(Encoding.UTF8.GetBytes(text.ToString()), 2);
                    text.Clear().Append(Encoding.UTF8.GetString(bytes));
                    break;
            }
        }
        return text.ToString();
    }

    /// <summary>For failure messages: the input, cut to a readable length.</summary>
    public static string Show(ReadOnlySpan<byte> input) => Convert.ToHexString(input.Length > 256 ? input[..256] : input) + (input.Length > 256 ? "…" : "");
}

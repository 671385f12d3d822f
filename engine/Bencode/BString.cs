using System.Text;

namespace EzioPxe.Engine.Bencode;

/// <summary>A bencoded byte string (<c>4:spam</c>). Bytes, not text: piece hashes live here too.</summary>
public sealed class BString(ReadOnlyMemory<byte> bytes) : BValue
{
    public BString(string text)
        : this(Encoding.UTF8.GetBytes(text))
    {
    }

    public ReadOnlyMemory<byte> Bytes { get; } = bytes;

    /// <summary>The bytes as UTF-8 text; invalid sequences become U+FFFD.</summary>
    public string Text => Encoding.UTF8.GetString(Bytes.Span);

    public override string ToString() => Text;
}

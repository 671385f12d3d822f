namespace EzioPxe.Engine.Bencode;

/// <summary>Malformed or non-canonical bencoded data; the message says what and at which byte.</summary>
public sealed class BencodeException : FormatException
{
    public BencodeException(string message, long position)
        : base($"{message} (at byte {position})")
    {
        Position = position;
    }

    /// <summary>Offset of the offending byte in the input.</summary>
    public long Position { get; }
}

namespace EzioPxe.Engine.Bencode;

/// <summary>Orders byte strings by raw bytes (memcmp order), the order bencode dictionaries use.</summary>
internal sealed class ByteArrayComparer : IComparer<byte[]>
{
    public static readonly ByteArrayComparer Instance = new();

    public int Compare(byte[]? x, byte[]? y) => x.AsSpan().SequenceCompareTo(y);
}

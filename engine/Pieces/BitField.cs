namespace EzioPxe.Engine.Pieces;

/// <summary>One bit per piece, most significant bit first within each byte, as BEP 3's bitfield message.</summary>
public sealed class BitField
{
    private readonly byte[] _bytes;

    public BitField(int length)
    {
        Length = length;
        _bytes = new byte[(length + 7) / 8];
    }

    public int Length { get; }

    /// <summary>How many bits are set.</summary>
    public int Count { get; private set; }

    public bool IsComplete => Count == Length;

    public ReadOnlySpan<byte> Bytes => _bytes;

    public bool this[int index]
    {
        get => (_bytes[index >> 3] & (0x80 >> (index & 7))) != 0;
        set
        {
            ref var b = ref _bytes[index >> 3];
            var mask = (byte)(0x80 >> (index & 7));
            var was = (b & mask) != 0;
            if (value && !was)
            {
                b |= mask;
                Count++;
            }
            else if (!value && was)
            {
                b &= (byte)~mask;
                Count--;
            }
        }
    }

    public void SetAll()
    {
        for (var i = 0; i < Length; i++)
        {
            this[i] = true;
        }
    }

    /// <summary>Loads a peer's bitfield message; false when its size is wrong or spare bits are set (BEP 3 says drop such a peer).</summary>
    public bool TryLoad(ReadOnlySpan<byte> bits)
    {
        if (bits.Length != _bytes.Length)
        {
            return false;
        }
        var spare = _bytes.Length * 8 - Length;
        if (spare > 0 && (bits[^1] & ((1 << spare) - 1)) != 0)
        {
            return false;
        }
        bits.CopyTo(_bytes);
        Count = 0;
        foreach (var b in _bytes)
        {
            Count += System.Numerics.BitOperations.PopCount(b);
        }
        return true;
    }
}

namespace EzioPxe.Imaging.Extents;

/// <summary>
/// Turns an allocation bitmap (ext block bitmap, NTFS $Bitmap: bit i of byte j is unit 8j+i,
/// least significant bit first) into byte extents.
/// </summary>
public static class BitmapRuns
{
    /// <param name="bitmap">The bitmap bytes.</param>
    /// <param name="bitCount">How many bits are meaningful (the rest is padding).</param>
    /// <param name="firstUnitOffset">Byte offset of the unit that bit 0 describes.</param>
    /// <param name="unitSize">Bytes per bit (block or cluster size).</param>
    /// <param name="into">Receives one extent per run of set bits.</param>
    /// <returns>How many bits were set.</returns>
    public static long AddSetRuns(ReadOnlySpan<byte> bitmap, long bitCount, long firstUnitOffset, long unitSize, ExtentListBuilder into)
    {
        bitCount = Math.Min(bitCount, (long)bitmap.Length * 8);
        long set = 0;
        long runStart = -1;
        long bit = 0;
        while (bit < bitCount)
        {
            // Whole bytes of 0x00 or 0xFF are the common case; skip them without a bit loop.
            if ((bit & 7) == 0 && bit + 8 <= bitCount)
            {
                var value = bitmap[(int)(bit >> 3)];
                if (value == 0)
                {
                    Flush(ref runStart, bit);
                    bit += 8;
                    continue;
                }
                if (value == 0xFF)
                {
                    if (runStart < 0)
                    {
                        runStart = bit;
                    }
                    set += 8;
                    bit += 8;
                    continue;
                }
            }
            var isSet = (bitmap[(int)(bit >> 3)] & (1 << (int)(bit & 7))) != 0;
            if (isSet)
            {
                set++;
                if (runStart < 0)
                {
                    runStart = bit;
                }
            }
            else
            {
                Flush(ref runStart, bit);
            }
            bit++;
        }
        Flush(ref runStart, bitCount);
        return set;

        void Flush(ref long start, long end)
        {
            if (start >= 0)
            {
                into.Add(firstUnitOffset + start * unitSize, (end - start) * unitSize);
                start = -1;
            }
        }
    }
}

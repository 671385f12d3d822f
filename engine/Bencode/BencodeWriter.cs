using System.Buffers;
using System.Buffers.Text;

namespace EzioPxe.Engine.Bencode;

/// <summary>Writes bencode into a buffer; dictionaries come out with keys sorted as BEP 3 requires.</summary>
public static class BencodeWriter
{
    public static byte[] Encode(BValue value)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        Write(buffer, value);
        return buffer.WrittenSpan.ToArray();
    }

    public static void Write(IBufferWriter<byte> output, BValue value)
    {
        switch (value)
        {
            case BInteger integer:
                WriteInteger(output, integer.Value);
                break;
            case BString text:
                WriteString(output, text.Bytes.Span);
                break;
            case BList list:
                WriteByte(output, (byte)'l');
                foreach (var item in list.Items)
                {
                    Write(output, item);
                }
                WriteByte(output, (byte)'e');
                break;
            case BDictionary dictionary:
                WriteByte(output, (byte)'d');
                foreach (var (key, item) in dictionary.Entries)
                {
                    WriteString(output, key);
                    Write(output, item);
                }
                WriteByte(output, (byte)'e');
                break;
            default:
                throw new ArgumentException($"unknown bencode value {value.GetType().Name}", nameof(value));
        }
    }

    public static void WriteInteger(IBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(22);
        span[0] = (byte)'i';
        Utf8Formatter.TryFormat(value, span[1..], out var written);
        span[1 + written] = (byte)'e';
        output.Advance(written + 2);
    }

    public static void WriteString(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        var span = output.GetSpan(12);
        Utf8Formatter.TryFormat(bytes.Length, span, out var written);
        span[written] = (byte)':';
        output.Advance(written + 1);
        output.Write(bytes);
    }

    private static void WriteByte(IBufferWriter<byte> output, byte value)
    {
        output.GetSpan(1)[0] = value;
        output.Advance(1);
    }
}

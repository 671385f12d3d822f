using System.Buffers.Text;

namespace EzioPxe.Engine.Bencode;

/// <summary>
/// Strict bencode parser: it accepts only the one canonical encoding of a value (no leading zeros,
/// no "-0", dictionary keys unique and sorted), so that re-encoding what it accepted gives the same
/// bytes and an info-hash cannot be forged by an alternative spelling.
/// </summary>
public sealed class BencodeParser
{
    private readonly ReadOnlyMemory<byte> _input;
    private readonly BencodeLimits _limits;
    private int _position;
    private int _values;

    private BencodeParser(ReadOnlyMemory<byte> input, BencodeLimits limits)
    {
        _input = input;
        _limits = limits;
    }

    /// <summary>Parses exactly one value that spans the whole input.</summary>
    public static BValue Parse(ReadOnlyMemory<byte> input, BencodeLimits? limits = null)
    {
        var parser = new BencodeParser(input, limits ?? BencodeLimits.Default);
        var value = parser.ParseValue(0);
        if (parser._position != input.Length)
        {
            throw new BencodeException("trailing data after the value", parser._position);
        }
        return value;
    }

    /// <summary>Parses one value at the start of the input and says how many bytes it used (for messages that carry data after it, like BEP 9).</summary>
    public static BValue ParsePrefix(ReadOnlyMemory<byte> input, out int consumed, BencodeLimits? limits = null)
    {
        var parser = new BencodeParser(input, limits ?? BencodeLimits.Default);
        var value = parser.ParseValue(0);
        consumed = parser._position;
        return value;
    }

    private BValue ParseValue(int depth)
    {
        if (++_values > _limits.MaxValues)
        {
            throw new BencodeException($"more than {_limits.MaxValues} values", _position);
        }
        var start = _position;
        var kind = Peek();
        BValue value = kind switch
        {
            (byte)'i' => ParseInteger(),
            (byte)'l' => ParseList(depth),
            (byte)'d' => ParseDictionary(depth),
            >= (byte)'0' and <= (byte)'9' => ParseString(),
            _ => throw new BencodeException($"unexpected byte 0x{kind:x2}, expected i, l, d or a digit", _position),
        };
        value.Span = (start, _position - start);
        return value;
    }

    private byte Peek()
    {
        if (_position >= _input.Length)
        {
            throw new BencodeException("unexpected end of data", _position);
        }
        return _input.Span[_position];
    }

    private BInteger ParseInteger()
    {
        _position++; // 'i'
        var span = _input.Span[_position..];
        var end = span.IndexOf((byte)'e');
        if (end < 0)
        {
            throw new BencodeException("integer without its closing 'e'", _position);
        }
        var digits = span[..end];
        CheckCanonicalNumber(digits, allowNegative: true);
        if (!Utf8Parser.TryParse(digits, out long value, out var used) || used != digits.Length)
        {
            throw new BencodeException("integer out of range or malformed", _position);
        }
        _position += end + 1;
        return new BInteger(value);
    }

    private BString ParseString()
    {
        var span = _input.Span[_position..];
        var colon = span.IndexOf((byte)':');
        if (colon < 0 || colon > 10)
        {
            throw new BencodeException("string length without ':'", _position);
        }
        var digits = span[..colon];
        CheckCanonicalNumber(digits, allowNegative: false);
        if (!Utf8Parser.TryParse(digits, out long length, out var used) || used != digits.Length)
        {
            throw new BencodeException("malformed string length", _position);
        }
        if (length > _limits.MaxStringLength)
        {
            throw new BencodeException($"string of {length} bytes exceeds the limit of {_limits.MaxStringLength}", _position);
        }
        var dataStart = _position + colon + 1;
        if (length > _input.Length - dataStart)
        {
            throw new BencodeException($"string of {length} bytes runs past the end of the data", _position);
        }
        _position = dataStart + (int)length;
        return new BString(_input.Slice(dataStart, (int)length));
    }

    private BList ParseList(int depth)
    {
        CheckDepth(depth);
        _position++; // 'l'
        var list = new BList();
        while (Peek() != (byte)'e')
        {
            list.Add(ParseValue(depth + 1));
        }
        _position++;
        return list;
    }

    private BDictionary ParseDictionary(int depth)
    {
        CheckDepth(depth);
        _position++; // 'd'
        var dictionary = new BDictionary();
        ReadOnlyMemory<byte> previousKey = default;
        var first = true;
        while (Peek() != (byte)'e')
        {
            var keyPosition = _position;
            if (Peek() is < (byte)'0' or > (byte)'9')
            {
                throw new BencodeException("dictionary key is not a string", _position);
            }
            var key = ParseString().Bytes;
            if (!first && key.Span.SequenceCompareTo(previousKey.Span) <= 0)
            {
                throw new BencodeException("dictionary keys are not unique and sorted", keyPosition);
            }
            first = false;
            previousKey = key;
            dictionary.AddParsed(key.ToArray(), ParseValue(depth + 1));
        }
        _position++;
        return dictionary;
    }

    private void CheckDepth(int depth)
    {
        if (depth >= _limits.MaxDepth)
        {
            throw new BencodeException($"nesting deeper than {_limits.MaxDepth}", _position);
        }
    }

    private void CheckCanonicalNumber(ReadOnlySpan<byte> digits, bool allowNegative)
    {
        var body = digits;
        if (allowNegative && body.Length > 0 && body[0] == (byte)'-')
        {
            body = body[1..];
            if (body.Length == 1 && body[0] == (byte)'0')
            {
                throw new BencodeException("'-0' is not a canonical integer", _position);
            }
        }
        if (body.Length == 0)
        {
            throw new BencodeException("empty number", _position);
        }
        if (body.Length > 1 && body[0] == (byte)'0')
        {
            throw new BencodeException("number with a leading zero", _position);
        }
        foreach (var b in body)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                throw new BencodeException($"unexpected byte 0x{b:x2} in a number", _position);
            }
        }
    }
}

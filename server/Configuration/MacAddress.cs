using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace EzioPxe.Server.Configuration;

/// <summary>A 48-bit Ethernet address; printed as lower-case "aa:bb:cc:dd:ee:ff", the form the client reports.</summary>
public readonly record struct MacAddress(ulong Value)
{
    public override string ToString()
    {
        Span<char> text = stackalloc char[17];
        for (var i = 0; i < 6; i++)
        {
            var octet = (byte)(Value >> (8 * (5 - i)));
            octet.TryFormat(text[(i * 3)..], out _, "x2", CultureInfo.InvariantCulture);
            if (i < 5)
            {
                text[i * 3 + 2] = ':';
            }
        }
        return new string(text);
    }

    /// <summary>Accepts aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff and aabbccddeeff, any case.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out MacAddress address)
    {
        address = default;
        if (text == null)
        {
            return false;
        }
        string digits;
        if (text.Length == 17)
        {
            var separator = text[2];
            if (separator is not (':' or '-'))
            {
                return false;
            }
            for (var i = 2; i < 17; i += 3)
            {
                if (text[i] != separator)
                {
                    return false;
                }
            }
            digits = string.Concat(Enumerable.Range(0, 6).Select(i => text.AsSpan(i * 3, 2).ToString()));
        }
        else if (text.Length == 12)
        {
            digits = text;
        }
        else
        {
            return false;
        }
        if (!digits.All(char.IsAsciiHexDigit) || !ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }
        address = new MacAddress(value);
        return true;
    }
}

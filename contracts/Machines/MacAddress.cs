using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace EzioPxe.Contracts.Machines;

/// <summary>
/// A 48-bit Ethernet address: the one parser and the spellings every part uses. Printed as
/// lower-case "aa:bb:cc:dd:ee:ff" (the key of jobs, reports and the status page); boot loaders ask
/// for file names with <see cref="Hyphenated"/>.
/// </summary>
public readonly record struct MacAddress(ulong Value)
{
    /// <summary>The address of six octets as read from a NIC or a DHCP packet's chaddr.</summary>
    public static MacAddress FromBytes(ReadOnlySpan<byte> octets)
    {
        if (octets.Length != 6)
        {
            throw new ArgumentException($"a MAC address has 6 octets, not {octets.Length}", nameof(octets));
        }
        ulong value = 0;
        foreach (var octet in octets)
        {
            value = (value << 8) | octet;
        }
        return new MacAddress(value);
    }

    public byte[] GetBytes()
    {
        var octets = new byte[6];
        for (var i = 0; i < 6; i++)
        {
            octets[i] = (byte)(Value >> (8 * (5 - i)));
        }
        return octets;
    }

    /// <summary>"aa-bb-cc-dd-ee-ff": iPXE's ${mac:hexhyp}, pxelinux's BOOTIF and menu file names.</summary>
    public string Hyphenated => ToString().Replace(':', '-');

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

    /// <summary>The <see cref="Jobs.ValueParser{T}"/> form of <see cref="TryParse(string?, out MacAddress)"/> (<c>ezio.mac</c>, <c>Machines:N:Mac</c>).</summary>
    public static bool TryParse(string text, out MacAddress address, [NotNullWhen(false)] out string? error)
    {
        error = TryParse(text, out address) ? null : $"'{text}' is not a MAC address like aa:bb:cc:dd:ee:ff";
        return error == null;
    }

    /// <summary>Accepts aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff (pxelinux's BOOTIF) and aabbccddeeff, any case.</summary>
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

using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace EzioPxe.Client.Job;

/// <summary>MAC addresses in the one spelling the server keys jobs by: "aa:bb:cc:dd:ee:ff".</summary>
public static class MacAddresses
{
    /// <summary>Accepts ':' or '-' between the six octets (pxelinux writes BOOTIF with '-'), any case.</summary>
    public static bool TryNormalize(string text, [NotNullWhen(true)] out string? mac, [NotNullWhen(false)] out string? error)
    {
        mac = null;
        var parts = text.Split(text.Contains('-', StringComparison.Ordinal) ? '-' : ':');
        if (parts.Length != 6 || parts.Any(p => p.Length != 2 || !byte.TryParse(p, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out _)))
        {
            error = $"'{text}' is not a MAC address like aa:bb:cc:dd:ee:ff";
            return false;
        }
        mac = string.Join(':', parts).ToLowerInvariant();
        error = null;
        return true;
    }

    /// <summary>Six octets (e.g. from PhysicalAddress.GetAddressBytes) as "aa:bb:cc:dd:ee:ff".</summary>
    public static string Format(ReadOnlySpan<byte> octets)
    {
        var hex = Convert.ToHexStringLower(octets);
        return string.Join(':', Enumerable.Range(0, octets.Length).Select(i => hex.Substring(i * 2, 2)));
    }
}

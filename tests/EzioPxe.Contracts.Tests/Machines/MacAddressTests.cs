using EzioPxe.Contracts.Machines;

namespace EzioPxe.Contracts.Tests.Machines;

public class MacAddressTests
{
    [Theory]
    [InlineData("52:54:00:ab:cd:ef")]
    [InlineData("52-54-00-AB-cd-ef")] // pxelinux's BOOTIF spelling
    [InlineData("525400ABCDEF")]      // what some switches and inventories print
    public void Every_accepted_spelling_is_the_same_address(string text)
    {
        Assert.True(MacAddress.TryParse(text, out var mac, out var error), error);
        Assert.Equal("52:54:00:ab:cd:ef", mac.ToString());
        Assert.Equal("52-54-00-ab-cd-ef", mac.Hyphenated);
        Assert.Equal(MacAddress.FromBytes([0x52, 0x54, 0x00, 0xab, 0xcd, 0xef]), mac);
        Assert.Equal(new byte[] { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef }, mac.GetBytes());
    }

    [Theory]
    [InlineData("")]
    [InlineData("52:54:00:ab:cd")]
    [InlineData("52:54-00:ab:cd:ef")]     // mixed separators
    [InlineData("52:54:00:ab:cd:eg")]
    [InlineData("525400abcdef00")]
    [InlineData("52.54.00.ab.cd.ef")]
    [InlineData(" 52:54:00:ab:cd:ef")]
    public void Anything_else_is_refused_with_the_text_in_the_error(string text)
    {
        Assert.False(MacAddress.TryParse(text, out _, out var error));
        Assert.Contains($"'{text}'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Six_octets_are_required_from_bytes()
    {
        Assert.Throws<ArgumentException>(() => MacAddress.FromBytes([1, 2, 3]));
    }
}

using System.Text;
using EzioPxe.Engine.Bencode;

namespace EzioPxe.Engine.Tests.Bencode;

public class BencodeParserTests
{
    private static BValue Parse(string text) => BencodeParser.Parse(Encoding.ASCII.GetBytes(text));

    [Theory]
    [InlineData("i0e", 0L)]
    [InlineData("i42e", 42L)]
    [InlineData("i-7e", -7L)]
    [InlineData("i9223372036854775807e", long.MaxValue)]
    public void Integers_parse(string text, long expected) => Assert.Equal(expected, ((BInteger)Parse(text)).Value);

    [Fact]
    public void Strings_lists_and_dictionaries_parse_with_their_spans()
    {
        var root = (BDictionary)Parse("d3:bar4:spam3:fooli1ei2eee");
        Assert.Equal("spam", root.GetString("bar")!.Text);
        var list = root.GetList("foo")!;
        Assert.Equal(2, list.Count);
        Assert.Equal((17, 8), list.Span);
        Assert.Equal((0, 26), root.Span);
    }

    [Theory]
    [InlineData("i03e", "leading zero")]
    [InlineData("i-0e", "'-0'")]
    [InlineData("ie", "empty number")]
    [InlineData("i1", "closing 'e'")]
    [InlineData("i99999999999999999999e", "out of range")]
    [InlineData("03:abc", "leading zero")]
    [InlineData("5:abc", "past the end")]
    [InlineData("d3:foo1:a3:bar1:be", "sorted")]
    [InlineData("d3:foo1:a3:foo1:be", "sorted")]
    [InlineData("di1e1:ae", "not a string")]
    [InlineData("l", "end of data")]
    [InlineData("i1ei2e", "trailing data")]
    [InlineData("x", "unexpected byte")]
    [InlineData("", "end of data")]
    public void Malformed_or_non_canonical_input_is_rejected_with_a_reason(string text, string reason)
    {
        var error = Assert.Throws<BencodeException>(() => Parse(text));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nesting_beyond_the_limit_is_rejected_instead_of_overflowing_the_stack()
    {
        var deep = new string('l', 100_000) + new string('e', 100_000);
        var error = Assert.Throws<BencodeException>(() => Parse(deep));
        Assert.Contains("nesting deeper", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_huge_declared_string_length_is_rejected_before_allocating()
    {
        var error = Assert.Throws<BencodeException>(() => Parse("999999999:x"));
        Assert.Contains("exceeds the limit", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writing_what_was_parsed_gives_the_same_bytes()
    {
        var text = "d4:infod6:lengthi5e4:name1:xe5:otherl0:i-3eee";
        var bytes = Encoding.ASCII.GetBytes(text);
        Assert.Equal(bytes, BencodeWriter.Encode(BencodeParser.Parse(bytes)));
    }

    [Fact]
    public void The_writer_sorts_dictionary_keys_by_raw_bytes()
    {
        var dictionary = new BDictionary();
        dictionary.Set("b", 1);
        dictionary.Set("B", 2);
        dictionary.Set("a", 3);
        Assert.Equal("d1:Bi2e1:ai3e1:bi1ee", Encoding.ASCII.GetString(BencodeWriter.Encode(dictionary)));
    }
}

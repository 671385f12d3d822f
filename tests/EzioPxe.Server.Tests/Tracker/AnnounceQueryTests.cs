using EzioPxe.Engine.Tracker;
using EzioPxe.Server.Tracker;
using static EzioPxe.Server.Tests.Tracker.TrackerClient;

namespace EzioPxe.Server.Tests.Tracker;

/// <summary>The announce parser on its own: binary info-hashes, escapes that HttpClient would repair before they reach a server.</summary>
public sealed class AnnounceQueryTests
{
    [Fact]
    public void Binary_info_hash_and_peer_id_decode_byte_for_byte()
    {
        var hash = Enumerable.Range(0, 20).Select(i => (byte)(i * 13 + 200)).ToArray(); // Invalid UTF-8 on purpose.
        Assert.True(AnnounceQuery.TryParse("?" + Query(hash, PeerId(7), 6881, 12345, "completed", "&numwant=9&no_peer_id=1"), out var query, out var error), error);
        Assert.Equal(hash, query.InfoHash.Span.ToArray());
        Assert.Equal(PeerId(7), query.PeerId);
        Assert.Equal((6881, 12345L, TrackerEvent.Completed, 9), (query.Port, query.Left, query.Event, query.NumWant!.Value));
        Assert.True(query.Compact);
        Assert.True(query.NoPeerId);
    }

    [Theory]
    [InlineData("info_hash=%zz&port=1", "malformed percent-escape")]
    [InlineData("info_hash=%4", "malformed percent-escape")]
    [InlineData("info_hash=\u00e9", "malformed percent-escape")]
    [InlineData("info_hash=%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41%41&peer_id=-TT0001-000000000001&port=1&left=1&numwant=x", "numwant 'x' is not")]
    public void Malformed_queries_are_refused_with_the_reason(string text, string expected)
    {
        Assert.False(AnnounceQuery.TryParse(text, out _, out var error));
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}

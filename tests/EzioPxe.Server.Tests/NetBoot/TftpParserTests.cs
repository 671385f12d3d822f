using System.Text;
using EzioPxe.Server.NetBoot.Tftp;

namespace EzioPxe.Server.Tests.NetBoot;

public sealed class TftpParserTests
{
    private static readonly TftpServerOptions Limits = new() { Root = "/", MaxWindowSize = 64, MaxBlockSize = 1468 };

    [Fact]
    public void A_read_request_with_options_is_parsed()
    {
        var request = TftpReadRequest.TryParse(TftpTestClient.ReadRequest("/boot/pxelinux.0", "OCTET", ("BLKSIZE", "1468"), ("tsize", "0")), out var error);
        Assert.NotNull(request);
        Assert.Equal("", error);
        Assert.Equal("/boot/pxelinux.0", request.FileName);
        Assert.Equal(TftpTransferMode.Octet, request.Mode);
        Assert.Equal("1468", request.Options["blksize"]);
        Assert.Equal("0", request.Options["tsize"]);
    }

    [Theory]
    [InlineData(new byte[] { 0, 1 }, "request of 2 bytes")]
    [InlineData(new byte[] { 0, 1, (byte)'a', 0 }, "missing transfer mode")]
    [InlineData(new byte[] { 0, 1, (byte)'a', 0, (byte)'o', (byte)'c' }, "missing transfer mode")]
    [InlineData(new byte[] { 0, 1, 0, 0, 0 }, "missing file name")]
    [InlineData(new byte[] { 0, 2, (byte)'a', 0, (byte)'x', 0 }, "not a read request")]
    public void Malformed_requests_are_refused_with_a_reason(byte[] packet, string reason)
    {
        Assert.Null(TftpReadRequest.TryParse(packet, out var error));
        Assert.Equal(reason, error);
    }

    [Fact]
    public void Mail_mode_and_truncated_options_are_refused()
    {
        Assert.Null(TftpReadRequest.TryParse(TftpTestClient.ReadRequest("a", "mail"), out var error));
        Assert.Contains("mail", error, StringComparison.Ordinal);
        var truncated = TftpTestClient.ReadRequest("a", "octet", ("blksize", "512"))[..^3];
        Assert.Null(TftpReadRequest.TryParse(truncated, out error));
        Assert.Equal("truncated option", error);
    }

    [Fact]
    public void Requests_larger_than_any_real_client_sends_are_refused()
    {
        var huge = TftpTestClient.ReadRequest(new string('a', 2000));
        Assert.Null(TftpReadRequest.TryParse(huge, out var error));
        Assert.StartsWith("request of", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Negotiation_clamps_to_the_server_limits_and_drops_bad_values()
    {
        var negotiated = TftpNegotiation.Negotiate(new Dictionary<string, string>
        {
            ["blksize"] = "9000", ["windowsize"] = "1000", ["timeout"] = "0", ["tsize"] = "0", ["x"] = "y",
        }, 12345, Limits);
        Assert.Equal(1468, negotiated.BlockSize);
        Assert.Equal(64, negotiated.WindowSize);
        Assert.Equal(Limits.RetransmitTimeout, negotiated.Timeout);
        Assert.Equal(["blksize=1468", "tsize=12345", "windowsize=64"], negotiated.AcknowledgedOptions.Select(o => $"{o.Key}={o.Value}"));
    }

    [Fact]
    public void Block_sizes_below_eight_and_non_numbers_are_ignored()
    {
        var negotiated = TftpNegotiation.Negotiate(new Dictionary<string, string> { ["blksize"] = "7", ["windowsize"] = "-3" }, 1, Limits);
        Assert.Equal(512, negotiated.BlockSize);
        Assert.Equal(1, negotiated.WindowSize);
        Assert.Empty(negotiated.AcknowledgedOptions);
    }

    [Theory]
    [InlineData("/pxelinux.0", "pxelinux.0")]
    [InlineData("\\boot\\x86\\pxelinux.0", "boot/x86/pxelinux.0")]
    [InlineData("a//./b", "a/b")]
    [InlineData("../etc/passwd", null)]
    [InlineData("a/../../b", null)]
    [InlineData("..\\..\\windows", null)]
    [InlineData("/", null)]
    public void Request_paths_are_normalised_and_traversal_is_refused(string requested, string? expected)
    {
        Assert.Equal(expected, TftpRoot.NormalizeRequestPath(requested));
    }

    [Fact]
    public void Fuzzed_requests_never_throw()
    {
        var random = new Random(1234);
        var seed = TftpTestClient.ReadRequest("pxelinux.cfg/default", "octet", ("blksize", "1468"), ("tsize", "0"), ("windowsize", "16"));
        for (var i = 0; i < 20000; i++)
        {
            var packet = (byte[])seed.Clone();
            var edits = random.Next(1, 6);
            for (var e = 0; e < edits; e++)
            {
                packet[random.Next(packet.Length)] = (byte)random.Next(256);
            }
            packet = packet[..random.Next(packet.Length + 1)];
            var request = TftpReadRequest.TryParse(packet, out _);
            if (request != null)
            {
                TftpNegotiation.Negotiate(request.Options, random.NextInt64(), Limits);
                TftpRoot.NormalizeRequestPath(request.FileName);
            }
        }
        Assert.NotNull(TftpReadRequest.TryParse(seed, out _));
    }

    [Fact]
    public void Netascii_turns_lf_into_crlf_and_cr_into_cr_nul()
    {
        using var content = NetAsciiContent.TryCreate(TftpContent.FromMemory(Encoding.ASCII.GetBytes("a\nb\rc")))!;
        var converted = new byte[16];
        Assert.Equal(7, content.Length);
        Assert.Equal("a\r\nb\r\0c", Encoding.ASCII.GetString(converted, 0, content.Read(0, converted)));
    }

    [Fact]
    public void Netascii_is_converted_block_by_block_and_reads_going_back_a_window_give_the_same_bytes()
    {
        var random = new Random(7);
        var text = new byte[300_000];
        for (var i = 0; i < text.Length; i++)
        {
            text[i] = (byte)(random.Next(10) switch { 0 => '\n', 1 => '\r', _ => 'a' + random.Next(26) });
        }
        var expected = new List<byte>();
        foreach (var b in text)
        {
            expected.AddRange(b == '\n' ? [(byte)'\r', (byte)'\n'] : b == '\r' ? [(byte)'\r', 0] : [b]);
        }
        using var content = NetAsciiContent.TryCreate(TftpContent.FromMemory(text))!;
        Assert.Equal(expected.Count, content.Length);
        var block = new byte[512];
        var offsets = new List<long>();
        for (long offset = 0; offset < content.Length; offset += 512)
        {
            offsets.Add(offset);
            // Every 50 blocks, go back 16 blocks as a resent window does, and once to the very start.
            if (offsets.Count % 50 == 0)
            {
                offsets.Add(Math.Max(0, offset - 16 * 512));
                offsets.Add(offset);
            }
        }
        offsets.Add(0);
        foreach (var offset in offsets)
        {
            var read = content.Read(offset, block);
            Assert.Equal(Math.Min(512, content.Length - offset), read);
            Assert.True(expected.Skip((int)offset).Take(read).SequenceEqual(block.Take(read)), $"bytes at {offset} differ");
        }
        Assert.Null(NetAsciiContent.TryCreate(TftpContent.FromMemory(new byte[NetAsciiContent.MaxLength + 1])));
    }
}

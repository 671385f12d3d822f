using System.Globalization;
using System.Text;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.NetBoot;

/// <summary>Our TFTP server against real clients (curl, tftp-hpa) and a windowed test client, over loopback.</summary>
public sealed class TftpServerTests(TftpServerFixture server) : IClassFixture<TftpServerFixture>
{
    [Theory]
    [InlineData("--tftp-no-options")]
    [InlineData("--tftp-blksize", "1468")]
    [InlineData("--tftp-blksize", "65464")]
    public void Curl_downloads_the_file_byte_for_byte(params string[] curlOptions)
    {
        var output = server.Scratch($"curl-{string.Join('_', curlOptions)}.bin");
        Tool.Run("curl", ["-sS", "--max-time", "120", .. curlOptions, "-o", output, server.Url("big.bin")], TimeSpan.FromMinutes(2)).EnsureSuccess("curl tftp");
        Assert.Equal(server.Big, File.ReadAllBytes(output));
    }

    [Fact]
    public void Curl_with_the_smallest_block_size_gets_every_block()
    {
        var output = server.Scratch("curl-blksize-8.bin");
        Tool.Run("curl", "-sS", "--tftp-blksize", "8", "-o", output, server.Url("exact.bin")).EnsureSuccess("curl tftp blksize 8");
        Assert.Equal(server.Big[..2048], File.ReadAllBytes(output));
    }

    [Fact]
    public void Tftp_hpa_downloads_in_octet_mode_including_a_file_that_is_a_multiple_of_the_block_size()
    {
        var output = server.Scratch("hpa-exact.bin");
        Tool.Run("tftp", ["-m", "binary", "127.0.0.1", server.EndPoint.Port.ToString(CultureInfo.InvariantCulture), "-c", "get", "exact.bin", output], TimeSpan.FromMinutes(1))
            .EnsureSuccess("tftp get");
        Assert.Equal(server.Big[..2048], File.ReadAllBytes(output));
    }

    [Fact]
    public void Tftp_hpa_netascii_mode_gets_the_text_back_unchanged_after_conversion()
    {
        var output = server.Scratch("hpa-hello.txt");
        Tool.Run("tftp", ["-m", "netascii", "127.0.0.1", server.EndPoint.Port.ToString(CultureInfo.InvariantCulture), "-c", "get", "/sub/hello.txt", output], TimeSpan.FromMinutes(1))
            .EnsureSuccess("tftp get netascii");
        Assert.Equal("hello\nworld\n", File.ReadAllText(output));
    }

    [Fact]
    public void Generated_files_are_served_like_files_on_disk()
    {
        var output = server.Scratch("generated");
        Tool.Run("curl", "-sS", "-o", output, server.Url(TftpServerFixture.GeneratedPath)).EnsureSuccess("curl generated");
        Assert.Equal(TftpServerFixture.GeneratedText, File.ReadAllText(output));
    }

    [Theory]
    [InlineData("../../etc/passwd")]
    [InlineData("sub/../../secret.txt")]
    [InlineData("escape-link")]
    [InlineData("escape-dir/secret.txt")]
    public void Paths_leaving_the_root_get_access_violation_and_the_server_keeps_serving(string path)
    {
        using var client = new TftpTestClient(server.EndPoint);
        var result = client.Get(path);
        Assert.Equal(2, result.ErrorCode);
        Assert.Empty(result.Data);
        Assert.Equal("hello\nworld\n", Encoding.ASCII.GetString(client.Get("inside-link").Data));
    }

    [Fact]
    public void Curl_reports_the_error_for_a_traversal_attempt()
    {
        // curl normalises "../" in URLs itself; %2e%2e reaches the server as "..".
        var result = Tool.Run("curl", "-sS", "-o", "/dev/null", server.Url("%2e%2e/%2e%2e/etc/passwd"));
        // 69 is CURLE_TFTP_PERM: curl received our TFTP "access violation" error.
        Assert.Equal(69, result.ExitCode);
    }

    [Fact]
    public void Missing_files_and_directories_are_errors_not_crashes()
    {
        using var client = new TftpTestClient(server.EndPoint);
        Assert.Equal(1, client.Get("no-such-file").ErrorCode);
        Assert.Equal(2, client.Get("sub").ErrorCode);
    }

    [Fact]
    public void Options_are_negotiated_and_unknown_ones_are_left_out_of_the_option_ack()
    {
        using var client = new TftpTestClient(server.EndPoint);
        client.SendRaw(TftpTestClient.ReadRequest("sub/hello.txt", "octet", ("blksize", "100000"), ("tsize", "0"), ("frobnicate", "1"), ("windowsize", "4"), ("timeout", "3")));
        var (packet, _) = client.Receive() ?? throw new TimeoutException("no OACK");
        Assert.Equal(6, packet[1]);
        var fields = Encoding.ASCII.GetString(packet, 2, packet.Length - 2).TrimEnd('\0').Split('\0');
        var options = Enumerable.Range(0, fields.Length / 2).ToDictionary(i => fields[2 * i], i => fields[2 * i + 1]);
        Assert.Equal("65464", options["blksize"]);
        Assert.Equal("12", options["tsize"]);
        Assert.Equal("4", options["windowsize"]);
        Assert.Equal("3", options["timeout"]);
        Assert.False(options.ContainsKey("frobnicate"));
    }

    [Theory]
    [InlineData(1468, 16)]
    [InlineData(512, 1)]
    [InlineData(1024, 64)]
    public void Windowed_transfers_arrive_complete(int blockSize, int windowSize)
    {
        using var client = new TftpTestClient(server.EndPoint);
        var result = client.Get("big.bin", blockSize, windowSize, askSize: true);
        Assert.Equal(0, result.ErrorCode);
        Assert.Equal(server.Big.Length.ToString(CultureInfo.InvariantCulture), result.OptionAck["tsize"]);
        Assert.Equal(server.Big, result.Data);
    }

    [Fact]
    public void A_lost_ack_makes_the_server_resend_the_window()
    {
        using var client = new TftpTestClient(server.EndPoint);
        var result = client.Get("big.bin", 1468, 8, dropAckOfBlock: 16);
        Assert.Equal(server.Big, result.Data);
        Assert.True(result.Retransmissions >= 1, "the server never resent the window");
    }

    [Fact]
    public async Task Many_clients_download_at_once()
    {
        var downloads = Enumerable.Range(0, 12).Select(i => Task.Run(() =>
        {
            using var client = new TftpTestClient(server.EndPoint);
            return client.Get("big.bin", 1428 + i, 1 + i % 8).Data;
        }));
        foreach (var data in await Task.WhenAll(downloads))
        {
            Assert.Equal(server.Big, data);
        }
    }

    [Fact]
    public void A_generated_file_that_fails_is_an_error_for_that_client_only()
    {
        using var client = new TftpTestClient(server.EndPoint);
        Assert.Equal(0, client.Get("broken").ErrorCode);
        Assert.Equal("server error", client.Get("broken").ErrorMessage);
        Assert.Equal(TftpServerFixture.GeneratedText, Encoding.ASCII.GetString(client.Get(TftpServerFixture.GeneratedPath).Data));
    }

    [Fact]
    public void Write_requests_are_refused_because_the_server_is_read_only()
    {
        using var client = new TftpTestClient(server.EndPoint);
        var request = TftpTestClient.ReadRequest("upload.bin");
        request[1] = 2;
        client.SendRaw(request);
        var (packet, _) = client.Receive() ?? throw new TimeoutException("no answer");
        Assert.Equal(5, packet[1]);
        Assert.Equal(2, packet[3]);
        Assert.False(File.Exists(Path.Combine(server.Root, "upload.bin")));
    }

    [Fact]
    public void Truncated_oversized_and_garbage_packets_do_not_stop_the_server()
    {
        using var client = new TftpTestClient(server.EndPoint);
        var random = new Random(7);
        var valid = TftpTestClient.ReadRequest("sub/hello.txt", "octet", ("blksize", "1024"));
        for (var i = 0; i < 300; i++)
        {
            byte[] packet = (i % 4) switch
            {
                0 => valid[..random.Next(valid.Length)],                    // truncated
                1 => [.. valid, .. new byte[random.Next(1, 3000)]],          // oversized / padded
                2 => RandomBytes(random, random.Next(0, 600)),               // garbage
                _ => Mutate(random, valid),                                  // flipped bytes
            };
            client.SendRaw(packet);
        }
        // Drain whatever errors came back, then prove the server still works.
        while (client.Receive(300) != null)
        {
        }
        using var fresh = new TftpTestClient(server.EndPoint);
        Assert.Equal("hello\nworld\n", Encoding.ASCII.GetString(fresh.Get("sub/hello.txt").Data));
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] packet)
    {
        var copy = (byte[])packet.Clone();
        for (var i = 0; i < 3; i++)
        {
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        }
        return copy;
    }
}

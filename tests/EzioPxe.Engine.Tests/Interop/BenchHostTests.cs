using System.Globalization;
using System.Text.RegularExpressions;
using EzioPxe.Engine.Tests.Swarm;
using EzioPxe.TestSupport;

namespace EzioPxe.Engine.Tests.Interop;

/// <summary>
/// The bench host (bench/EzioPxe.Bench, built with the solution) as a plain BitTorrent client on a
/// given address: what any other client can be tried against.
/// </summary>
public partial class BenchHostTests
{
    private static string BenchHost => RepositoryPaths.Of("bench/EzioPxe.Bench/bin/Release/net10.0/eziopxe-bench");

    [Fact]
    public void A_seed_whose_data_is_damaged_refuses_to_start()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("content.torrent"), SampleContent.Create(dir.Path, "content", new long[] { 300_000, 5 }, 16 * 1024));
        using (var stream = File.OpenWrite(Path.Combine(dir.Path, "content", "file0.bin")))
        {
            stream.Position = 100_000;
            stream.WriteByte(0);
            stream.WriteByte(1);
        }
        var result = Tool.Run(BenchHost, new[] { "seed", dir.File("content.torrent"), dir.Path, "--listen", "127.0.0.7:0" }, TimeSpan.FromSeconds(60));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("holds 18 of 19 pieces", result.StandardError, StringComparison.Ordinal); // one piece damaged
    }

    [Fact]
    public void A_seed_and_a_leech_on_given_addresses_move_a_torrent()
    {
        using var dir = new TempDirectory();
        var torrentPath = dir.File("content.torrent");
        File.WriteAllBytes(torrentPath, SampleContent.Create(dir.Path, "content", new long[] { 3_000_001, 0, 17 }, 64 * 1024));
        var port = FreePort.Tcp();
        using var seed = BackgroundProcess.Start(BenchHost, new[] { "seed", torrentPath, dir.Path, "--listen", $"127.0.0.7:{port}" });
        seed.WaitForOutput("listening ", TimeSpan.FromSeconds(30));
        Assert.Equal(port, int.Parse(Listening().Match(seed.Output).Groups[1].Value, CultureInfo.InvariantCulture));

        var leech = Tool.Run(BenchHost, new[] { "leech", torrentPath, dir.File("leech"), "--listen", "127.0.0.8:0", "--peer", $"127.0.0.7:{port}" }, TimeSpan.FromSeconds(60));
        Assert.True(leech.ExitCode == 0, leech.StandardOutput + leech.StandardError);
        Assert.Contains("done ", leech.StandardOutput, StringComparison.Ordinal);
        SampleContent.AssertSameTree(Path.Combine(dir.Path, "content"), Path.Combine(dir.File("leech"), "content"));
    }

    [GeneratedRegex(@"listening (\d+)")]
    private static partial Regex Listening();
}

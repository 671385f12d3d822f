using System.Net.Http.Json;
using EzioPxe.Contracts.Progress;
using EzioPxe.Contracts;
using EzioPxe.Server.Cli;
using EzioPxe.Server.Tests.Http;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.Status;

/// <summary>What an administrator sees: `eziopxe status` and the live page in a real browser (headless Chromium).</summary>
[Collection(ServerCollection.Name)]
public sealed class StatusViewTests(ServerFixture fixture)
{
    private async Task Report(ProgressReport report)
    {
        using var response = await MachineReports.PostAsync(fixture.Server.Http, report);
        response.EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task Status_command_prints_a_row_per_machine()
    {
        await Report(new ProgressReport
        {
            Mac = "52:54:00:cc:00:01", Job = "cli", Hostname = "lab-pc-7", Address = "10.9.8.7", State = ProgressStates.Downloading,
            BytesDone = 250, BytesTotal = 1000, DownloadRate = 12_500_000, Peers = 4, EtaSeconds = 125,
        });
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(0, StatusCommand.Run(["--server", fixture.Server.BaseUrl.TrimEnd('/').Replace("http://", "", StringComparison.Ordinal)], output, error));
        var row = output.ToString().Split('\n').Single(l => l.StartsWith("52:54:00:cc:00:01", StringComparison.Ordinal));
        Assert.Matches(@"^52:54:00:cc:00:01\s+lab-pc-7\s+127\.0\.0\.1\s+cli\s+downloading\s+25\.0%\s+12\.5 MB/s\s+4\s+2:05$", row);
        Assert.Matches(@"(?m)^lab\s+64\.0 MiB|^lab\s+\d", output.ToString());

        Assert.Equal(1, StatusCommand.Run(["--server", "http://127.0.0.1:1"], output, error));
        Assert.Contains("eziopxe status: http://127.0.0.1:1/status:", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_machines_note_on_a_larger_disk_reaches_the_status_and_the_table()
    {
        const string note = "the target is 1.1 GB larger than the image: backup GPT moved to its end; 1.1 GB after the last partition is left unpartitioned";
        await Report(new ProgressReport
        {
            Mac = "52:54:00:cc:00:02", Job = "cli", State = ProgressStates.Done, BytesDone = 1000, BytesTotal = 1000, Note = note + "\n" + new string('x', 5000),
        });
        var status = await fixture.Server.Http.GetStringAsync("status");
        // The report as the machine sent it, less its key (GET /status is open to the LAN; the key would let anyone report for it).
        Assert.Contains("\"report\":{\"state\":\"done\",\"bytesDone\":1000,\"bytesTotal\":1000,", status, StringComparison.Ordinal);
        Assert.DoesNotContain("\"key\"", status, StringComparison.Ordinal);
        // Kept like an error text: one line, capped.
        Assert.Contains($"\"note\":\"{note} x", status, StringComparison.Ordinal);
        Assert.DoesNotContain(new string('x', 2000), status, StringComparison.Ordinal);
        var output = new StringWriter();
        Assert.Equal(0, StatusCommand.Run(["--server", fixture.Server.BaseUrl.TrimEnd('/').Replace("http://", "", StringComparison.Ordinal)], output, new StringWriter()));
        var row = output.ToString().Split('\n').Single(l => l.StartsWith("52:54:00:cc:00:02", StringComparison.Ordinal));
        Assert.Contains("done (the target is 1.1 GB larger", row, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Status_page_shows_each_machine_and_updates_without_reload_in_headless_chromium()
    {
        await Report(new ProgressReport
        {
            Mac = "52:54:00:dd:00:01", Job = "page", Address = "10.1.2.3", State = ProgressStates.Downloading,
            BytesDone = 420, BytesTotal = 1000, DownloadRate = 80_000_000, Peers = 6, EtaSeconds = 61,
        });
        // The page draws rows only from its own fetch of /status, so rows in the DOM prove the script ran.
        var dom = DumpDom(fixture.Server.BaseUrl, virtualTimeMs: 3000);
        var row = Row(dom, "52:54:00:dd:00:01");
        // The address shown is where the report came from, not what it claims (10.1.2.3).
        Assert.Contains("127.0.0.1", row, StringComparison.Ordinal);
        Assert.DoesNotContain("10.1.2.3", row, StringComparison.Ordinal);
        Assert.Contains("downloading", row, StringComparison.Ordinal);
        Assert.Contains("42.0%", row, StringComparison.Ordinal);
        Assert.Contains("80.0 MB/s", row, StringComparison.Ordinal);
        Assert.Contains("1:01", row, StringComparison.Ordinal);

        // Kept open, the page follows new reports by itself (it polls /status): no reload.
        await using var browser = await HeadlessChromium.OpenAsync(fixture.Server.BaseUrl);
        const string rowText = "document.querySelector('tr[data-mac=\"52:54:00:dd:00:02\"]')?.textContent ?? ''";
        await Report(new ProgressReport { Mac = "52:54:00:dd:00:02", Job = "page", State = ProgressStates.Checking, BytesDone = 0, BytesTotal = 1000 });
        var first = await browser.WaitForAsync(rowText, t => t!.Contains("checking", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        Assert.Contains("checking", first, StringComparison.Ordinal);
        var loadsBefore = await browser.EvaluateAsync("String(performance.getEntriesByType('navigation').length) + ':' + performance.timeOrigin");
        await Report(new ProgressReport { Mac = "52:54:00:dd:00:02", Job = "page", State = ProgressStates.Done, BytesDone = 1000, BytesTotal = 1000 });
        var later = await browser.WaitForAsync(rowText, t => t!.Contains("done", StringComparison.Ordinal), TimeSpan.FromSeconds(20));
        Assert.Contains("done", later, StringComparison.Ordinal);
        Assert.Contains("100.0%", later, StringComparison.Ordinal);
        Assert.Equal(loadsBefore, await browser.EvaluateAsync("String(performance.getEntriesByType('navigation').length) + ':' + performance.timeOrigin"));
    }

    private string DumpDom(string url, int virtualTimeMs)
    {
        using var profile = new TempDirectory("chromium");
        var result = Tool.Run("chromium", new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile.Path,
            $"--virtual-time-budget={virtualTimeMs}", "--dump-dom", url,
        }, TimeSpan.FromSeconds(60));
        Assert.True(result.ExitCode == 0, result.StandardError);
        return result.StandardOutput;
    }

    private static string Row(string dom, string mac)
    {
        var start = dom.IndexOf($"<tr data-mac=\"{mac}\">", StringComparison.Ordinal);
        Assert.True(start >= 0, "no row for " + mac + " in:\n" + dom);
        return dom[start..dom.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }
}

using EzioPxe.Contracts.Progress;
using EzioPxe.Server.Tests.Status;

namespace EzioPxe.Server.Tests.Tasks;

/// <summary>
/// The status page in headless Chromium for deploy on demand: the expected machines and their
/// phase from the first boot request, the Deploy button arming a room, the throughput chart
/// drawn by the page itself, and the history of past deployments.
/// </summary>
public sealed class LifecyclePageTests
{
    private const string FirstRow = "document.querySelector('#machines tr[data-mac=\"" + LifecycleServer.First + "\"]')?.textContent ?? ''";
    private const string SecondRow = "document.querySelector('#machines tr[data-mac=\"" + LifecycleServer.Second + "\"]')?.textContent ?? ''";
    private const string StrangerRow = "document.querySelector('#machines tr[data-mac=\"" + LifecycleServer.Stranger + "\"]')?.textContent ?? ''";

    [Fact]
    public async Task The_page_arms_a_room_shows_each_phase_the_chart_and_the_history()
    {
        await using var lab = await LifecycleServer.StartAsync();
        await using var browser = await HeadlessChromium.OpenAsync(lab.Server.BaseUrl);
        var timeout = TimeSpan.FromSeconds(20);

        // Expected before anything boots; an unlisted machine that boots is shown waiting.
        Assert.Contains("idle", await browser.WaitForAsync(FirstRow, t => t!.Contains("idle", StringComparison.Ordinal), timeout), StringComparison.Ordinal);
        await lab.Menu($"ipxe/{LifecycleServer.Hyphenated(LifecycleServer.Stranger)}.ipxe");
        Assert.Contains("waiting", await browser.WaitForAsync(StrangerRow, t => t!.Contains("waiting", StringComparison.Ordinal), timeout), StringComparison.Ordinal);

        // The Deploy button (its confirmation answered yes) arms every machine listed with the chosen job.
        await browser.WaitForAsync("document.getElementById('job').options.length", t => t != "0", timeout);
        await browser.EvaluateAsync("window.confirm = () => true; document.getElementById('job').value = 'lab'; document.getElementById('deploy').click(); 'clicked'");
        var result = await browser.WaitForAsync("document.getElementById('control-result').textContent", t => t!.Length > 0, timeout);
        Assert.Contains("job lab is armed for 2 machine(s)", result, StringComparison.Ordinal);
        Assert.Contains("armed", await browser.WaitForAsync(SecondRow, t => t!.Contains("armed", StringComparison.Ordinal), timeout), StringComparison.Ordinal);
        var tasks = await lab.Server.Http.GetStringAsync("tasks");
        Assert.Contains("\"armedBy\": \"status page from 127.0.0.1\"", tasks, StringComparison.Ordinal);

        // booting (boot file asked for) -> downloading (rate on the chart) -> done (no rate; in the history).
        await lab.Menu($"ipxe/{LifecycleServer.Hyphenated(LifecycleServer.First)}.ipxe");
        Assert.Contains("booting", await browser.WaitForAsync(FirstRow, t => t!.Contains("booting", StringComparison.Ordinal), timeout), StringComparison.Ordinal);
        await lab.Report(LifecycleServer.First, ProgressStates.Downloading);
        var downloading = await browser.WaitForAsync(FirstRow, t => t!.Contains("downloading", StringComparison.Ordinal), timeout);
        Assert.Contains("5.0 MB/s", downloading, StringComparison.Ordinal);
        Assert.Contains("5.0 MB/s", await browser.WaitForAsync("document.getElementById('room-rate').textContent", t => t == "5.0 MB/s", timeout), StringComparison.Ordinal);
        var points = await browser.EvaluateAsync("document.querySelector('#chart .room').getAttribute('points')");
        Assert.True(points!.Split(' ').Length >= 2, points);
        // The room line rose above the floor of the chart (y = 118) while the machine downloaded.
        Assert.Contains(points.Split(' '), p => double.Parse(p.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture) < 100);

        await lab.Report(LifecycleServer.First, ProgressStates.Done);
        var done = await browser.WaitForAsync(FirstRow, t => t!.Contains("done", StringComparison.Ordinal), timeout);
        Assert.DoesNotContain("5.0 MB/s", done, StringComparison.Ordinal);
        const string historyRow = "document.querySelector('#history tr[data-mac=\"" + LifecycleServer.First + "\"]')?.textContent ?? ''";
        var history = await browser.WaitForAsync(historyRow, t => t!.Contains("done", StringComparison.Ordinal), timeout);
        Assert.Contains("desk-1", history, StringComparison.Ordinal);
        Assert.Contains("status page from 127.0.0.1", history, StringComparison.Ordinal);

        // Cancel disarms the other machine.
        await browser.EvaluateAsync("document.getElementById('cancel').click(); 'clicked'");
        await browser.WaitForAsync("document.getElementById('control-result').textContent", t => t!.Contains("cancelled", StringComparison.Ordinal), timeout);
        Assert.Contains("idle", await browser.WaitForAsync(SecondRow, t => t!.Contains("idle", StringComparison.Ordinal), timeout), StringComparison.Ordinal);
    }
}

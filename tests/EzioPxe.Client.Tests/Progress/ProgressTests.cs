using System.Text.Json;
using EzioPxe.Client.Progress;
using EzioPxe.Contracts.Progress;
using EzioPxe.Contracts;

namespace EzioPxe.Client.Tests.Progress;

public class ProgressTests
{
    private static readonly ProgressReport Downloading = new()
    {
        Mac = "52:54:00:12:34:56", Hostname = "pc-01", Address = "10.0.0.51", Job = "lab", State = ProgressStates.Downloading,
        BytesDone = 1_234_000_000, BytesTotal = 2_916_000_000, DownloadRate = 85_200_000, UploadRate = 12_000_000, Peers = 7, EtaSeconds = 1163,
    };

    [Fact]
    public void The_line_has_percent_amount_rate_peers_and_eta()
    {
        Assert.Equal("downloading  42.3%  1.23/2.92 GB  85.2 MB/s  up 12.0 MB/s  7 peers  ETA 19:23", ProgressLine.Format(Downloading));
        Assert.Equal("checking  0.0%  0.00/2.92 GB  0.0 MB/s  1 peer  ETA --:--",
            ProgressLine.Format(Downloading with { State = ProgressStates.Checking, BytesDone = 0, DownloadRate = 0, UploadRate = 0, Peers = 1, EtaSeconds = null }));
    }

    [Fact]
    public void The_line_never_reaches_the_last_column()
    {
        var line = ProgressLine.Format(Downloading with { State = ProgressStates.Failed, Error = new string('x', 200) }, width: 80);
        Assert.Equal(79, line.Length);
    }

    [Theory]
    [InlineData(999_999, 1_000_000, "99.9%")] // never 100% before the last byte
    [InlineData(1_000_000, 1_000_000, "100.0%")]
    [InlineData(0, 0, "0.0%")]
    public void Percent_is_honest(long done, long total, string text) => Assert.Equal(text, ProgressLine.Percent(done, total));

    [Fact]
    public void Eta_comes_from_the_current_rate_and_is_unknown_without_one()
    {
        Assert.Equal(10, ProgressLine.EtaSeconds(0, 1000, 100));
        Assert.Equal(1, ProgressLine.EtaSeconds(999, 1000, 100));
        Assert.Null(ProgressLine.EtaSeconds(0, 1000, 0));
        Assert.Equal(0, ProgressLine.EtaSeconds(1000, 1000, 0));
        Assert.Equal("1:02:03", ProgressLine.Duration(TimeSpan.FromSeconds(3723)));
    }

    [Fact]
    public void On_a_terminal_the_line_is_redrawn_in_place_at_most_twice_a_second()
    {
        var time = new FakeTime();
        var output = new StringWriter();
        var progress = new ConsoleProgress(output, isTerminal: true, time: time);
        progress.Update(Downloading);
        progress.Update(Downloading with { BytesDone = 1_300_000_000 }); // too soon: skipped
        time.Advance(TimeSpan.FromMilliseconds(500));
        progress.Update(Downloading with { BytesDone = 1_400_000_000 });
        Assert.Equal(
            "\r" + ProgressLine.Format(Downloading) + "\u001b[K" + "\r" + ProgressLine.Format(Downloading with { BytesDone = 1_400_000_000 }) + "\u001b[K",
            output.ToString());

        time.Advance(TimeSpan.FromSeconds(30)); // 30.5 s since start: 2.916 GB / 30.5 s
        progress.Finish(Downloading with { State = ProgressStates.Done, BytesDone = 2_916_000_000 });
        Assert.EndsWith("\r\u001b[Kdone: 2.9 GB in 0:30 (95.6 MB/s)" + Environment.NewLine, output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_terminal_a_new_line_every_interval_and_on_each_state_change()
    {
        var time = new FakeTime();
        var output = new StringWriter();
        var progress = new ConsoleProgress(output, isTerminal: false, lineInterval: TimeSpan.FromSeconds(10), time: time);
        progress.Update(Downloading with { State = ProgressStates.Checking });
        progress.Update(Downloading);                 // state changed: printed
        time.Advance(TimeSpan.FromSeconds(5));
        progress.Update(Downloading);                 // not due
        time.Advance(TimeSpan.FromSeconds(5));
        progress.Update(Downloading);                 // due
        var lines = output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.DoesNotContain('\r', output.ToString());
        Assert.DoesNotContain('\u001b', output.ToString());
        Assert.StartsWith("checking", lines[0], StringComparison.Ordinal);
    }

    [Fact]
    public void A_failure_summary_says_where_and_why()
    {
        var summary = ConsoleProgress.Summary(Downloading with { State = ProgressStates.Failed, Error = "pwrite(/dev/sda, 4194304 bytes at 0): Input/output error" }, TimeSpan.FromSeconds(42));
        Assert.Equal("failed after 0:42 at 42.3%: pwrite(/dev/sda, 4194304 bytes at 0): Input/output error", summary);
    }

    [Fact]
    public void The_rate_is_a_sliding_window_of_whole_seconds()
    {
        var time = new FakeTime();
        var rate = new TransferRate(windowSeconds: 5, time);
        Assert.Equal(0, rate.BytesPerSecond);
        for (var second = 0; second < 10; second++)
        {
            rate.Add(second < 5 ? 1_000_000 : 3_000_000);
            time.Advance(TimeSpan.FromSeconds(1));
        }
        Assert.Equal(3_000_000, rate.BytesPerSecond); // only the last five seconds count
        Assert.Equal(20_000_000, rate.Total);
        time.Advance(TimeSpan.FromSeconds(3));        // three idle seconds
        Assert.Equal(1_200_000, rate.BytesPerSecond);
        time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, rate.BytesPerSecond);
    }

    [Fact]
    public void The_report_contract_is_camel_case_json_and_round_trips()
    {
        var json = JsonSerializer.Serialize(Downloading, ContractsJsonContext.Default.ProgressReport);
        Assert.Equal(
            """{"mac":"52:54:00:12:34:56","hostname":"pc-01","address":"10.0.0.51","job":"lab","state":"downloading","bytesDone":1234000000,"bytesTotal":2916000000,"downloadRate":85200000,"uploadRate":12000000,"peers":7,"etaSeconds":1163}""",
            json);
        Assert.Equal(Downloading, JsonSerializer.Deserialize(json, ContractsJsonContext.Default.ProgressReport));
        Assert.Equal(new ProgressReply { RoomDone = true }, JsonSerializer.Deserialize("""{"roomDone":true,"stop":false}""", ContractsJsonContext.Default.ProgressReply));
    }
}

using System.Globalization;
using EzioPxe.Server.Tests.Seeding;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.Http;

/// <summary>The real `eziopxe serve` process: starts, serves, logs with timestamps, stops cleanly on SIGTERM; refuses bad config with the key.</summary>
public sealed class ServeProgramTests
{
    private static string Program => Path.Combine(AppContext.BaseDirectory, "eziopxe.dll");

    [Fact]
    public async Task Serve_runs_until_sigterm_and_then_stops_cleanly()
    {
        using var temp = new TempDirectory("serve-program");
        var image = TestImage.Create(temp.File("lab.img"), seed: 11, dataBytes: 1L << 20);
        var config = RunningServer.Config(temp.File("data"), image);
        await File.WriteAllTextAsync(temp.File("eziopxe.json"), config.ToJsonString());
        var port = (int)config["Server"]!["HttpPort"]!;
        using var serve = BackgroundProcess.Start("dotnet", [Program, "serve", "--config", temp.File("eziopxe.json")]);
        serve.WaitForOutput("Application started", TimeSpan.FromSeconds(60));
        using (var http = new HttpClient())
        {
            var job = await http.GetStringAsync($"http://127.0.0.1:{port}/jobs/lab");
            Assert.Contains($"\"torrentUrl\":\"http://127.0.0.1:{port}/torrents/lab.torrent\"", job, StringComparison.Ordinal);
        }
        Tool.Run("kill", "-TERM", serve.ProcessId.ToString(CultureInfo.InvariantCulture)).EnsureSuccess("kill");
        Assert.True(serve.WaitForExit(TimeSpan.FromSeconds(30)), serve.Output);
        Assert.Equal(0, serve.ExitCode);
        Assert.Contains("Application is shutting down", serve.Output, StringComparison.Ordinal);
        Assert.Contains("stopping seeder of lab", serve.Output, StringComparison.Ordinal);
        // Structured console lines: a timestamp, the level, the category.
        Assert.Matches(@"(?m)^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} info: EzioPxe\.Server\.Seeding\.OriginSeeder", serve.Output);
    }

    [Fact]
    public void Serve_refuses_a_bad_config_with_exit_code_2_naming_every_bad_key()
    {
        using var temp = new TempDirectory("serve-program");
        var config = RunningServer.Config(temp.File("data"), "/nonexistent/lab.img", c =>
        {
            c["Machines"] = new System.Text.Json.Nodes.JsonArray { new System.Text.Json.Nodes.JsonObject { ["Mac"] = "not-a-mac", ["Job"] = "lab" } };
        });
        File.WriteAllText(temp.File("eziopxe.json"), config.ToJsonString());
        var result = Tool.Run("dotnet", [Program, "serve", "--config", temp.File("eziopxe.json")], TimeSpan.FromSeconds(60));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Images:lab:Source: /nonexistent/lab.img does not exist", result.StandardError, StringComparison.Ordinal);
        Assert.Contains("Machines:0:Mac: 'not-a-mac' is not a MAC address", result.StandardError, StringComparison.Ordinal);

        var usage = Tool.Run("dotnet", [Program, "frobnicate"], TimeSpan.FromSeconds(60));
        Assert.Equal(2, usage.ExitCode);
        Assert.Contains("usage: eziopxe COMMAND", usage.StandardError, StringComparison.Ordinal);
    }
}

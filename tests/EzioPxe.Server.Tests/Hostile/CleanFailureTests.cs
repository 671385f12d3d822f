using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using EzioPxe.Server.Cli;
using EzioPxe.Server.Status;
using EzioPxe.Server.Tests.Http;
using EzioPxe.Server.Tests.Seeding;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.Hostile;

/// <summary>
/// `eziopxe serve` fails with one line and exit code 1 when a port or interface is not there for
/// it (a second serve, a busy TFTP port, a missing interface), never with a stack trace; bad
/// configuration is named precisely; odd but legal requests get sane answers.
/// </summary>
public sealed class CleanFailureTests : IDisposable
{
    private static string Program => Path.Combine(AppContext.BaseDirectory, "eziopxe.dll");

    private readonly TempDirectory _temp = new("clean-failure");
    private readonly string _image;

    public CleanFailureTests()
    {
        _image = TestImage.Create(_temp.File("lab.img"), seed: 12, dataBytes: 1L << 20);
        Directory.CreateDirectory(_temp.File("boot"));
        Directory.CreateDirectory(_temp.File("tftp"));
    }

    public void Dispose() => _temp.Dispose();

    private JsonObject Config(Action<JsonObject>? configure = null) => RunningServer.Config(_temp.File("data"), _image, c =>
    {
        c["Server"]!["BootDirectory"] = _temp.File("boot");
        configure?.Invoke(c);
    });

    private string Write(JsonObject config, string name = "eziopxe.json")
    {
        File.WriteAllText(_temp.File(name), config.ToJsonString());
        return _temp.File(name);
    }

    private static ToolResult Serve(string configPath) => Tool.Run("dotnet", [Program, "serve", "--config", configPath], TimeSpan.FromSeconds(90));

    private static void AssertOneLineFailure(ToolResult result, string expected)
    {
        Assert.True(result.ExitCode == 1, $"exit {result.ExitCode}\n{result.StandardOutput}\n{result.StandardError}");
        var error = result.StandardError.TrimEnd();
        Assert.DoesNotContain('\n', error);
        Assert.StartsWith("eziopxe serve: could not start: ", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.StandardOutput + result.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public void A_second_serve_on_the_same_peer_or_http_port_exits_1_naming_the_port()
    {
        var first = Config();
        using var running = BackgroundProcess.Start("dotnet", [Program, "serve", "--config", Write(first, "first.json")]);
        running.WaitForOutput("Application started", TimeSpan.FromSeconds(60));

        var samePeerPort = Config(c => c["Server"]!["PeerPort"] = (int)first["Server"]!["PeerPort"]!);
        // serve looks before it binds: the port is named with the key that sets it and the process that holds it.
        AssertOneLineFailure(Serve(Write(samePeerPort)), $"TCP {first["Server"]!["PeerPort"]} (Server:PeerPort, origin seeder) is held by ");

        var sameHttpPort = Config(c => c["Server"]!["HttpPort"] = (int)first["Server"]!["HttpPort"]!);
        AssertOneLineFailure(Serve(Write(sameHttpPort)), $"TCP {first["Server"]!["HttpPort"]} (Server:HttpPort, HTTP and tracker) is held by ");
        Assert.False(running.HasExited, running.Output);
    }

    [Fact]
    public void A_busy_tftp_port_and_a_missing_interface_exit_1_naming_them()
    {
        using var busy = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        busy.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var tftpPort = ((IPEndPoint)busy.LocalEndPoint!).Port;
        var withTftp = Config(c => c["NetBoot"] = new JsonObject { ["TftpRoot"] = _temp.File("tftp"), ["TftpPort"] = tftpPort });
        AssertOneLineFailure(Serve(Write(withTftp)), $"UDP {tftpPort} (NetBoot:TftpPort, TFTP) is held by ");

        var missing = Config(c => c["NetBoot"] = new JsonObject { ["Tftp"] = false, ["Dhcp"] = "proxy", ["Interface"] = "eziono0" });
        AssertOneLineFailure(Serve(Write(missing)), "NetBoot:Interface: there is no network interface 'eziono0'");
    }

    [Theory]
    [InlineData("{\n  \"Server\": {\n    \"HttpPort\": 8080,\n  }\n  \"Jobs\": {}\n}\n", "not valid JSON at line 5, column 3")]
    [InlineData("{\"Server\": {\"HttpPort\": [1]}, \"Tracker\": {\"IntervalSeconds\": {\"a\": 5}}}", "Server:HttpPort: expected one value, not a list or object")]
    [InlineData("{\"Tracker\": {\"IntervalSeconds\": [5]}}", "Tracker:IntervalSeconds: expected one value, not a list or object")]
    [InlineData("{\"Server\": {\"AllowedNetworks\": [\"10.77.0.0/24\", \"10.0.0.1/99\"]}}", "Server:AllowedNetworks:1: '10.0.0.1/99' is not a network like 10.77.0.0/24")]
    public void Bad_json_is_named_with_its_line_and_a_list_for_a_number_as_such(string json, string expected)
    {
        File.WriteAllText(_temp.File("bad.json"), json);
        var error = new StringWriter();
        Assert.Equal(2, ServeCommand.Run(["--config", _temp.File("bad.json")], error));
        Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("is outside", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Kernel_arguments_with_a_line_break_are_refused_at_start()
    {
        var config = Config(c => c["NetBoot"] = new JsonObject { ["Tftp"] = false, ["KernelArguments"] = "console=ttyS0\nkernel /evil" });
        var error = new StringWriter();
        Assert.Equal(2, ServeCommand.Run(["--config", Write(config)], error));
        Assert.Contains("NetBoot:KernelArguments: must be one line", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_request_without_a_host_gets_urls_with_the_address_it_reached_and_status_tells_the_real_start_time()
    {
        var before = DateTime.UtcNow;
        await using var server = await RunningServer.StartAsync(Config(), _temp.Path);
        var port = server.Settings.Server.HttpPort;
        foreach (var request in new[] { "GET /jobs/lab HTTP/1.0\r\n\r\n", "GET /jobs/lab HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n" })
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            var stream = client.GetStream();
            await stream.WriteAsync(Encoding.ASCII.GetBytes(request));
            var answer = await new StreamReader(stream).ReadToEndAsync();
            Assert.Contains("200 OK", answer, StringComparison.Ordinal);
            Assert.Contains($"\"torrentUrl\":\"http://127.0.0.1:{port}/torrents/lab.torrent\"", answer, StringComparison.Ordinal);
        }

        // The first /status a while after the start still says when the server started.
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        var firstRequest = DateTime.UtcNow;
        var status = (await server.Http.GetFromJsonAsync("status", StatusJsonContext.Default.ServerStatus))!;
        Assert.InRange(status.StartedAt, before.AddSeconds(-1), firstRequest.AddSeconds(-1));
    }
}

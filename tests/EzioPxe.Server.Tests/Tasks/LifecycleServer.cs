using System.Net.Http.Json;
using System.Text.Json.Nodes;
using EzioPxe.Contracts;
using EzioPxe.Contracts.Progress;
using EzioPxe.Server.Tests.Http;
using EzioPxe.Server.Tests.Seeding;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.Tasks;

/// <summary>
/// A server with network-boot menus over HTTP (no DHCP, no TFTP) and two listed machines of job
/// "lab", for the deploy-on-demand tests; it can be restarted on the same data directory.
/// </summary>
internal sealed class LifecycleServer : IAsyncDisposable
{
    public const string First = "52:54:00:5a:00:01";
    public const string Second = "52:54:00:5a:00:02";
    public const string Stranger = "52:54:00:5a:00:99";

    private readonly TempDirectory _temp = new("lifecycle");
    private readonly JsonObject _config;

    private LifecycleServer(JsonObject config) => _config = config;

    public RunningServer Server { get; private set; } = null!;

    public string DataDirectory => _temp.File("data");

    public static async Task<LifecycleServer> StartAsync()
    {
        var server = new LifecycleServer(new JsonObject());
        var image = TestImage.Create(server._temp.File("lab.img"), seed: 9, dataBytes: 1L << 20);
        var boot = server._temp.File("boot");
        Directory.CreateDirectory(boot);
        File.WriteAllText(Path.Combine(boot, "vmlinuz"), "kernel");
        var config = RunningServer.Config(server.DataDirectory, image, c =>
        {
            c["Server"]!["BootDirectory"] = boot;
            c["Jobs"]!["exam"] = new JsonObject { ["Image"] = "lab" };
            c["Machines"] = new JsonArray
            {
                new JsonObject { ["Mac"] = First, ["Job"] = "lab", ["Name"] = "desk-1" },
                new JsonObject { ["Mac"] = Second, ["Job"] = "lab", ["Name"] = "desk-2" },
            };
            c["NetBoot"] = new JsonObject { ["Dhcp"] = "off", ["Tftp"] = false, ["ServerAddress"] = "127.0.0.1" };
        });
        foreach (var (key, value) in config)
        {
            server._config[key] = value?.DeepClone();
        }
        server.Server = await RunningServer.StartAsync(server._config, server._temp.Path);
        return server;
    }

    public async Task RestartAsync()
    {
        await Server.DisposeAsync();
        Server = await RunningServer.StartAsync(_config, _temp.Path);
    }

    public Task<string> Menu(string path) => Server.Http.GetStringAsync(path);

    public static string Hyphenated(string mac) => mac.Replace(':', '-');

    public async Task Report(string mac, string state, string? error = null)
    {
        // With the machine's report key, as the real client sends it (from its job or ezio.key).
        using var response = await Status.MachineReports.PostAsync(Server.Http,
            new ProgressReport { Mac = mac, State = state, BytesDone = state == ProgressStates.Done ? 1000 : 400, BytesTotal = 1000, DownloadRate = 5_000_000, Peers = 2, EtaSeconds = 9, Error = error });
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _temp.Dispose();
    }
}

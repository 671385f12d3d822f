using System.Text.Json.Nodes;
using EzioPxe.Server.Configuration;
using EzioPxe.Server.Http;
using EzioPxe.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace EzioPxe.Server.Tests.Http;

/// <summary>
/// The real server (ServerHost: Kestrel, tracker, origin seeder) started in-process on loopback
/// from a JSON config, as `eziopxe serve --config` would; its log lines are kept for failure messages.
/// </summary>
internal sealed class RunningServer : IAsyncDisposable
{
    private RunningServer(WebApplication app, ServerSettings settings, CollectingLogger log, string configPath)
    {
        App = app;
        Settings = settings;
        Log = log;
        ConfigPath = configPath;
        BaseUrl = $"http://127.0.0.1:{settings.Server.HttpPort}/";
        Http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(30) };
    }

    public WebApplication App { get; }

    public ServerSettings Settings { get; }

    public CollectingLogger Log { get; }

    public string ConfigPath { get; }

    public string BaseUrl { get; }

    public HttpClient Http { get; }

    public int PeerPort => Settings.Server.PeerPort;

    /// <summary>A config with the given images and jobs on free loopback ports; <paramref name="configure"/> may change anything.</summary>
    public static JsonObject Config(string dataDirectory, string imagePath, Action<JsonObject>? configure = null)
    {
        var config = new JsonObject
        {
            ["Server"] = new JsonObject
            {
                ["Address"] = "127.0.0.1",
                ["HttpPort"] = FreePort.Tcp(),
                ["PeerPort"] = FreePort.Tcp(),
                ["DataDirectory"] = dataDirectory,
            },
            ["Images"] = new JsonObject { ["lab"] = new JsonObject { ["Source"] = imagePath } },
            ["Jobs"] = new JsonObject { ["lab"] = new JsonObject { ["Image"] = "lab" } },
            ["DefaultJob"] = "lab",
        };
        configure?.Invoke(config);
        return config;
    }

    public static async Task<RunningServer> StartAsync(JsonObject config, string directory)
    {
        var configPath = Path.Combine(directory, "eziopxe.json");
        await File.WriteAllTextAsync(configPath, config.ToJsonString());
        var settings = ConfigurationLoader.Load(ConfigurationLoader.Build(configPath, [], new Dictionary<string, string?>()));
        var log = new CollectingLogger();
        var app = ServerHost.Build(settings, addServices: EzioPxe.Server.Cli.ServeCommand.AddNetBootServices, logging: l =>
        {
            l.ClearProviders();
            l.AddProvider(new Provider(log));
            l.SetMinimumLevel(LogLevel.Debug);
            l.AddFilter("Microsoft", LogLevel.Warning);
        });
        await app.StartAsync();
        return new RunningServer(app, settings, log, configPath);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }

    private sealed class Provider(CollectingLogger log) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => log;

        public void Dispose()
        {
        }
    }
}

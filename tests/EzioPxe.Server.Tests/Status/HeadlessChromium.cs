using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EzioPxe.TestSupport;

namespace EzioPxe.Server.Tests.Status;

/// <summary>
/// Debian's chromium, headless, with a page open and kept open: JavaScript is evaluated in it
/// over the DevTools protocol, so a test can watch the page change without reloading it.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    private readonly TempDirectory _profile;
    private readonly BackgroundProcess _process;
    private readonly ClientWebSocket _socket;
    private int _nextId;

    private HeadlessChromium(TempDirectory profile, BackgroundProcess process, ClientWebSocket socket)
    {
        _profile = profile;
        _process = process;
        _socket = socket;
    }

    public static async Task<HeadlessChromium> OpenAsync(string url)
    {
        var profile = new TempDirectory("chromium");
        var port = FreePort.Tcp();
        var process = BackgroundProcess.Start("chromium", new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile.Path,
            "--remote-debugging-address=127.0.0.1", $"--remote-debugging-port={port}", url,
        });
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                var targets = await http.GetFromJsonAsync<JsonArray>($"http://127.0.0.1:{port}/json/list");
                var page = targets!.FirstOrDefault(t => (string?)t!["type"] == "page" && ((string?)t["url"])!.StartsWith(url, StringComparison.Ordinal));
                if (page != null)
                {
                    var socket = new ClientWebSocket();
                    await socket.ConnectAsync(new Uri((string)page["webSocketDebuggerUrl"]!), CancellationToken.None);
                    return new HeadlessChromium(profile, process, socket);
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline)
            {
            }
            if (DateTime.UtcNow > deadline)
            {
                process.Dispose();
                profile.Dispose();
                throw new TimeoutException("chromium's DevTools did not show the page:\n" + process.Output);
            }
            await Task.Delay(200);
        }
    }

    /// <summary>Runs <paramref name="expression"/> in the page; returns its value as a string.</summary>
    public async Task<string?> EvaluateAsync(string expression)
    {
        var id = ++_nextId;
        var request = new JsonObject
        {
            ["id"] = id,
            ["method"] = "Runtime.evaluate",
            ["params"] = new JsonObject { ["expression"] = expression, ["returnByValue"] = true },
        };
        await _socket.SendAsync(Encoding.UTF8.GetBytes(request.ToJsonString()), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[1 << 20];
        while (true)
        {
            using var message = new MemoryStream();
            WebSocketReceiveResult result;
            do
            {
                result = await _socket.ReceiveAsync(buffer, new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);
            var reply = JsonNode.Parse(message.ToArray())!;
            if ((int?)reply["id"] == id)
            {
                return reply["result"]?["result"]?["value"]?.ToString();
            }
        }
    }

    /// <summary>Evaluates until the value satisfies <paramref name="condition"/>; returns the last value.</summary>
    public async Task<string?> WaitForAsync(string expression, Func<string?, bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        string? value;
        do
        {
            value = await EvaluateAsync(expression);
            if (condition(value))
            {
                return value;
            }
            await Task.Delay(200);
        }
        while (DateTime.UtcNow < deadline);
        return value;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
        }
        catch (Exception e) when (e is WebSocketException or InvalidOperationException)
        {
        }
        _socket.Dispose();
        _process.Dispose();
        _profile.Dispose();
    }
}

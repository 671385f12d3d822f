using System.Net;
using System.Text;
using EzioPxe.TestSupport;

namespace EzioPxe.Client.Tests.Deployment;

/// <summary>
/// The two HTTP endpoints a client needs from a server, on loopback: the .torrent and POST /progress
/// (answered with roomDone). Reports are kept so tests can read what the client said.
/// </summary>
internal sealed class TorrentWebServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly byte[] _torrent;
    private readonly List<string> _reports = new();

    public TorrentWebServer(byte[] torrent)
    {
        _torrent = torrent;
        Port = FreePort.Tcp();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(ServeAsync);
    }

    public int Port { get; }

    public string TorrentUrl => $"http://127.0.0.1:{Port}/image.torrent";

    public IReadOnlyList<string> Reports
    {
        get { lock (_reports) { return _reports.ToList(); } }
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }
            var response = context.Response;
            byte[] body;
            if (context.Request.HttpMethod == "POST" && context.Request.Url!.AbsolutePath == "/progress")
            {
                using var reader = new StreamReader(context.Request.InputStream);
                var report = await reader.ReadToEndAsync();
                lock (_reports)
                {
                    _reports.Add(report);
                }
                body = Encoding.UTF8.GetBytes("{\"roomDone\":true,\"stop\":false}");
                response.ContentType = "application/json";
            }
            else if (context.Request.Url!.AbsolutePath == "/image.torrent")
            {
                body = _torrent;
            }
            else
            {
                response.StatusCode = 404;
                body = Array.Empty<byte>();
            }
            response.ContentLength64 = body.Length;
            await response.OutputStream.WriteAsync(body);
            response.Close();
        }
    }

    public void Dispose() => _listener.Close();
}

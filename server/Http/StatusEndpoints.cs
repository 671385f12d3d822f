using EzioPxe.Server.Status;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EzioPxe.Server.Http;

/// <summary>GET /status (JSON) and GET / (the live status page, which polls /status).</summary>
public static class StatusEndpoints
{
    private static readonly Lazy<byte[]> Page = new(() =>
    {
        using var stream = typeof(StatusEndpoints).Assembly.GetManifestResourceStream("wwwroot/index.html")
            ?? throw new InvalidOperationException("the status page is missing from the program's resources");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    public static void Map(WebApplication app)
    {
        app.MapGet("/status", (StatusCollector collector) => Results.Json(collector.Collect(), StatusJsonContext.Default.ServerStatus));
        app.MapGet("/", () => Results.Bytes(Page.Value, "text/html; charset=utf-8"));
    }
}

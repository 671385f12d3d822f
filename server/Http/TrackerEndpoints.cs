using System.Net;
using EzioPxe.Server.Tracker;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EzioPxe.Server.Http;

/// <summary>GET /announce and GET /scrape: the HTTP tracker (BEP 3, 23, 48). Errors are bencoded "failure reason"s with 200, as clients expect.</summary>
public static class TrackerEndpoints
{
    private const string ContentType = "text/plain";

    public static void Map(WebApplication app)
    {
        app.MapGet("/announce", (HttpContext context, TrackerService tracker) =>
        {
            var connection = context.Connection;
            var body = tracker.HandleAnnounce(context.Request.QueryString.Value, connection.RemoteIpAddress ?? IPAddress.None, connection.LocalIpAddress ?? IPAddress.None);
            return Results.Bytes(body, ContentType);
        });
        app.MapGet("/scrape", (HttpContext context, TrackerService tracker) =>
            Results.Bytes(tracker.HandleScrape(context.Request.QueryString.Value), ContentType));
    }
}

using System.Collections.Concurrent;
using EzioPxe.Engine.Metainfo;
using EzioPxe.Server.Configuration;
using EzioPxe.Server.Seeding;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EzioPxe.Server.Http;

/// <summary>
/// GET /torrents/{name}.torrent. The announce URL is rewritten to this server's tracker as the
/// client reached it (the torrent on disk may name another host, e.g. when made on a laptop).
/// </summary>
public static class TorrentEndpoints
{
    public const string ContentType = "application/x-bittorrent";

    private static readonly ConcurrentDictionary<(InfoHash, string), byte[]> Rewritten = new();

    public static void Map(WebApplication app)
    {
        app.MapGet("/torrents/{file}", (string file, HttpRequest request, ImageCatalog catalog, ServerSettings settings) =>
        {
            if (!file.EndsWith(".torrent", StringComparison.OrdinalIgnoreCase) || catalog.Find(file[..^".torrent".Length]) is not { } image)
            {
                return Results.Text($"no image torrent '{file}' (known: {string.Join(", ", catalog.Images.Select(i => i.Name + ".torrent"))})\n", statusCode: 404);
            }
            var announce = PublicUrls.Base(request, settings) + "announce";
            // The Host header is the client's to choose: cache a few URLs, not whatever anyone sends.
            var key = (image.Torrent.InfoHash, announce);
            if (!Rewritten.TryGetValue(key, out var bytes))
            {
                bytes = TorrentAnnounce.With(image.Torrent, announce).Bytes.ToArray();
                if (Rewritten.Count < 64)
                {
                    Rewritten[key] = bytes;
                }
            }
            return Results.Bytes(bytes, ContentType, fileDownloadName: image.Name + ".torrent");
        });
    }
}

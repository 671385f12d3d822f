using EzioPxe.Server.Seeding;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EzioPxe.Server.Http;

/// <summary>
/// GET /images/{name}/{extent file}: one extent of an image, with HTTP range support. The path is
/// BEP 19's web-seed layout (url + torrent name + "/" + file path), so "http://server:port/images/"
/// works as a web seed when the torrent's name is the image's name.
/// </summary>
public static class ExtentEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/images/{name}/{file}", (string name, string file, ImageCatalog catalog) =>
        {
            if (catalog.Find(name) is not { } image)
            {
                return Results.Text($"no image '{name}'\n", statusCode: 404);
            }
            if (!image.TryFindExtent(file, out var path, out var offset, out var length))
            {
                return Results.Text($"image '{name}' has no extent '{file}'\n", statusCode: 404);
            }
            return Results.Stream(new ExtentStream(path, offset, length), "application/octet-stream", enableRangeProcessing: true);
        });
    }
}

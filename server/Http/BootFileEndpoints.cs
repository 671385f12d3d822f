using EzioPxe.Server.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EzioPxe.Server.Http;

/// <summary>
/// GET /boot/{path}: the kernel, initramfs and scripts iPXE fetches over HTTP, from
/// Server:BootDirectory and never from outside it (no "..", no symlink leading out).
/// </summary>
public static class BootFileEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/boot/{**path}", (string? path, ServerSettings settings) =>
        {
            if (settings.Server.BootDirectory is not { } directory)
            {
                return Results.Text("no boot directory configured (Server:BootDirectory)\n", statusCode: 404);
            }
            var file = Confine(directory, path ?? "");
            return file == null
                ? Results.Text($"no boot file '{path}'\n", statusCode: 404)
                : Results.File(file, "application/octet-stream", enableRangeProcessing: true);
        });
    }

    /// <summary>The full path of an existing regular file under <paramref name="root"/>, or null.</summary>
    public static string? Confine(string root, string relative)
    {
        var realRoot = Path.GetFullPath(Resolve(root)).TrimEnd('/') + "/";
        var candidate = Path.GetFullPath(Path.Combine(realRoot, relative.TrimStart('/')));
        if (!candidate.StartsWith(realRoot, StringComparison.Ordinal) || !File.Exists(candidate))
        {
            return null;
        }
        // A symlink inside the directory may point anywhere; what counts is where it ends.
        var real = Path.GetFullPath(Resolve(candidate));
        return real.StartsWith(realRoot, StringComparison.Ordinal) && File.Exists(real) ? real : null;
    }

    private static string Resolve(string path)
    {
        // Resolve every link along the path, component by component.
        var full = Path.GetFullPath(path);
        var parts = full.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var current = "/";
        foreach (var part in parts)
        {
            current = Path.Combine(current, part);
            for (var hops = 0; hops < 40 && new FileInfo(current).LinkTarget is { } target; hops++)
            {
                current = Path.GetFullPath(target, Path.GetDirectoryName(current)!);
            }
        }
        return current;
    }
}

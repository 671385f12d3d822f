using EzioPxe.Contracts.Jobs;
using EzioPxe.Contracts.Machines;
using EzioPxe.Contracts;
using EzioPxe.Server.Configuration;
using EzioPxe.Server.Seeding;
using EzioPxe.Server.Status;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EzioPxe.Server.Http;

/// <summary>
/// GET /jobs/{mac or job name}[?mac=MAC]: the <see cref="JobDescription"/> a client runs. Asked
/// for by MAC (in the path, or as ?mac= with a job name), it carries that machine's report key
/// for that job (<see cref="MachineKeys"/>), unless the MAC is configured for another job.
/// </summary>
public static class JobEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/jobs/{id}", (string id, HttpRequest request, ServerSettings settings, ImageCatalog catalog, MachineKeys keys) =>
        {
            var (jobName, error) = Resolve(id, settings);
            if (jobName == null)
            {
                return Results.Text(error + "\n", statusCode: 404);
            }
            var description = Describe(jobName, settings, PublicUrls.Base(request, settings), catalog);
            MacAddress? mac = MacAddress.TryParse(id, out var inPath) ? inPath
                : MacAddress.TryParse(request.Query["mac"].ToString(), out var inQuery) ? inQuery : null;
            if (mac is { } machine && ProgressEndpoints.RoomOf(machine, jobName, settings).Job is { } room)
            {
                description = description with { Key = keys.For(machine, room) };
            }
            return Results.Json(description, ContractsJsonContext.Default.JobDescription);
        });
    }

    /// <summary>A MAC gets its machine's job, or DefaultJob; anything else is taken as a job name.</summary>
    public static (string? Job, string? Error) Resolve(string id, ServerSettings settings)
    {
        if (MacAddress.TryParse(id, out var mac))
        {
            if (settings.Machines.TryGetValue(mac, out var machine))
            {
                return (machine.Job!, null);
            }
            return settings.Options.DefaultJob is { } fallback
                ? (fallback, null)
                : (null, $"machine {mac} is not in Machines and there is no DefaultJob");
        }
        var job = settings.Jobs.Keys.FirstOrDefault(k => string.Equals(k, id, StringComparison.OrdinalIgnoreCase));
        return job != null ? (job, null) : (null, $"no job or MAC '{id}' (jobs: {string.Join(", ", settings.Jobs.Keys)})");
    }

    public static JobDescription Describe(string jobName, ServerSettings settings, string baseUrl, ImageCatalog catalog)
    {
        var job = settings.Jobs[jobName];
        return new JobDescription
        {
            InfoHash = catalog.Find(job.Image!)?.Torrent.InfoHash.ToHex(),
            Name = jobName,
            TorrentUrl = baseUrl + "torrents/" + Uri.EscapeDataString(settings.FindImage(job.Image!)!.Name) + ".torrent",
            Disk = job.Disk,
            After = job.After,
            Seed = job.Seed,
            LogLevel = job.LogLevel,
        };
    }
}

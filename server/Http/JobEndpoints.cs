using EzioPxe.Contracts.Jobs;
using EzioPxe.Contracts.Machines;
using EzioPxe.Contracts;
using EzioPxe.Server.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EzioPxe.Server.Http;

/// <summary>GET /jobs/{mac or job name}: the <see cref="JobDescription"/> a client runs.</summary>
public static class JobEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/jobs/{id}", (string id, HttpRequest request, ServerSettings settings) =>
        {
            var (jobName, error) = Resolve(id, settings);
            if (jobName == null)
            {
                return Results.Text(error + "\n", statusCode: 404);
            }
            return Results.Json(Describe(jobName, settings, PublicUrls.Base(request, settings)), ContractsJsonContext.Default.JobDescription);
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

    public static JobDescription Describe(string jobName, ServerSettings settings, string baseUrl)
    {
        var job = settings.Jobs[jobName];
        if (job.Mode != null && JobModes.TryParse(job.Mode, out var mode, out _) && mode == JobMode.Capture)
        {
            // A capture job: no torrent, the name of the image to make (docs/capture.md).
            return new JobDescription
            {
                Name = jobName,
                Mode = JobModes.Name(mode),
                Image = job.Image,
                Overwrite = job.Overwrite,
                Disk = job.Disk,
                After = job.After,
                LogLevel = job.LogLevel,
            };
        }
        return new JobDescription
        {
            Name = jobName,
            TorrentUrl = baseUrl + "torrents/" + Uri.EscapeDataString(settings.FindImage(job.Image!)!.Name) + ".torrent",
            Disk = job.Disk,
            After = job.After,
            Seed = job.Seed,
            LogLevel = job.LogLevel,
        };
    }
}

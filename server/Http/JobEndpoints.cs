using System.Net;
using EzioPxe.Contracts.Jobs;
using EzioPxe.Contracts.Machines;
using EzioPxe.Contracts;
using EzioPxe.Server.Configuration;
using EzioPxe.Server.Tasks;
using EzioPxe.Server.Seeding;
using EzioPxe.Server.Status;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace EzioPxe.Server.Http;

/// <summary>
/// GET /jobs/{mac or job name}[?mac=MAC]: the <see cref="JobDescription"/> a client runs. Asked
/// for by MAC (in the path, or as ?mac= with a job name), it carries that machine's report key
/// for that job (<see cref="MachineKeys"/>), unless the MAC is configured for another job, or:
/// <list type="bullet">
/// <item>this server's DHCP leased the MAC another address than the request's source
/// (<see cref="LeasedAddresses"/>): a host asking for a booted machine's key gets none;</item>
/// <item>the MAC is not expected (not listed, no task) and the source already has keys for
/// Server:MachinesPerAddress such MACs (<see cref="KeyIssuance"/>): a host cannot mint machines.</item>
/// </list>
/// The job itself is still served: it is no secret, and a machine without a key still deploys.
/// </summary>
public static class JobEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/jobs/{id}", (string id, HttpRequest request, ServerSettings settings, MachineLifecycle lifecycle, ImageCatalog catalog, MachineKeys keys,
            LeasedAddresses leased, KeyIssuance issuance) =>
        {
            var source = request.HttpContext.Connection.RemoteIpAddress ?? IPAddress.None;
            var byMac = MacAddress.TryParse(id, out var inPath);
            MacAddress? mac = byMac ? inPath
                : MacAddress.TryParse(request.Query["mac"].ToString(), out var inQuery) ? inQuery : null;
            // Looked up once: the lease decides both the claim and the key.
            var leasedElsewhere = mac is { } asking && leased.Refusal(asking, source) != null;
            // Asking by MAC may take an any-machine task, but not for a MAC leased to another address.
            var claim = !byMac || !leasedElsewhere;
            var (jobName, error) = Resolve(id, settings, lifecycle, claim);
            if (jobName == null)
            {
                return Results.Text(error + "\n", statusCode: 404);
            }
            var description = Describe(jobName, settings, PublicUrls.Base(request, settings), catalog);
            if (mac is { } machine && ProgressEndpoints.RoomOf(machine, jobName, settings, lifecycle) is { Job: { } room } placement)
            {
                if (!leasedElsewhere && (placement.Expected || issuance.TryIssue(source, machine)))
                {
                    description = description with { Key = keys.For(machine, room) };
                }
            }
            return Results.Json(description, ContractsJsonContext.Default.JobDescription);
        });
    }

    /// <summary>
    /// A MAC gets the job of its armed task (or its listed job when that job has Arm: always);
    /// a machine with neither has nothing to do. Anything else is taken as a job name.
    /// </summary>
    public static (string? Job, string? Error) Resolve(string id, ServerSettings settings, MachineLifecycle lifecycle, bool claim = true)
    {
        if (MacAddress.TryParse(id, out var mac))
        {
            return lifecycle.JobFor(mac, claim) is { } armed
                ? (armed, null)
                : (null, $"machine {mac} has no deployment task (it boots its own disk); arm one with `eziopxe deploy --job JOB --machines {mac}`");
        }
        var job = settings.Jobs.Keys.FirstOrDefault(k => string.Equals(k, id, StringComparison.OrdinalIgnoreCase));
        return job != null ? (job, null) : (null, $"no job or MAC '{id}' (jobs: {string.Join(", ", settings.Jobs.Keys)})");
    }

    public static JobDescription Describe(string jobName, ServerSettings settings, string baseUrl, ImageCatalog catalog)
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
            InfoHash = catalog.Find(job.Image!)?.Torrent.InfoHash.ToHex(),
            Name = jobName,
            TorrentUrl = baseUrl + "torrents/" + Uri.EscapeDataString(settings.FindImage(job.Image!)!.Name) + ".torrent",
            Disk = job.Disk,
            Partition = job.Partition,
            After = job.After,
            Seed = job.Seed,
            LogLevel = job.LogLevel,
        };
    }
}

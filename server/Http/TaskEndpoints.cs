using System.Text.Json.Serialization.Metadata;
using EzioPxe.Server.Configuration;
using EzioPxe.Server.Tasks;
using EzioPxe.Server.WakeOnLan;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EzioPxe.Server.Http;

/// <summary>
/// GET /tasks, POST /tasks (arm), POST /tasks/cancel and POST /wake: what `eziopxe deploy`,
/// `eziopxe wake` and the status page's buttons call. Only from the server's host or
/// Server:ControlFrom (<see cref="ControlAccess"/>).
/// </summary>
public static class TaskEndpoints
{
    /// <summary>Header a command line may send to say who armed a task ("root@lab-server").</summary>
    public const string ByHeader = "X-EzioPxe-By";

    public static void Map(WebApplication app)
    {
        app.MapGet("/tasks", (MachineLifecycle lifecycle) =>
            Results.Json(new TaskFile { Tasks = [.. lifecycle.Tasks.Tasks], AnyMachine = lifecycle.Tasks.AnyMachine }, TaskJsonContext.Default.TaskFile));

        app.MapPost("/tasks", async (HttpContext context, ControlAccess access, ServerSettings settings, MachineLifecycle lifecycle, ILogger<MachineLifecycle> logger) =>
        {
            var (request, job, refused) = await ReadAsync(context, access, settings, TaskJsonContext.Default.ArmRequest, needsJob: true);
            if (refused != null)
            {
                return refused;
            }
            var (machines, any, error) = MachineSelection.Resolve(request!.Machines, job, settings);
            if (error != null)
            {
                return BadRequest(error);
            }
            var by = Who(context);
            var now = DateTime.UtcNow;
            string message;
            if (any)
            {
                lifecycle.Tasks.ArmAnyMachine(job!, by, now);
                message = $"job {job} is armed for every machine that network-boots (each once), until cancelled";
            }
            else
            {
                try
                {
                    lifecycle.Tasks.Arm(job!, machines, by, now);
                }
                catch (InvalidOperationException e)
                {
                    return Results.Text(e.Message + "\n", statusCode: 409);
                }
                message = $"job {job} is armed for {machines.Count} machine(s); each deploys at its next network boot, once";
            }
            logger.LogInformation("{By}: {Message}", by, message);
            return Results.Json(new ArmResult { Job = job!, Machines = machines.Select(m => m.ToString()).ToList(), AnyMachine = any, Message = message },
                TaskJsonContext.Default.ArmResult);
        });

        app.MapPost("/tasks/cancel", async (HttpContext context, ControlAccess access, ServerSettings settings, MachineLifecycle lifecycle, ILogger<MachineLifecycle> logger) =>
        {
            var (request, job, refused) = await ReadAsync(context, access, settings, TaskJsonContext.Default.ArmRequest, needsJob: false);
            if (refused != null)
            {
                return refused;
            }
            List<Contracts.Machines.MacAddress>? machines = null;
            if (request!.Machines is { Count: > 0 } named && !(named.Count == 1 && named[0] is MachineSelection.AllListed or MachineSelection.Any))
            {
                var (macs, _, error) = MachineSelection.Resolve(named, job, settings);
                if (error != null)
                {
                    return BadRequest(error);
                }
                machines = macs;
            }
            var (cancelled, any, stopping) = lifecycle.Tasks.Cancel(job, machines);
            var message = $"cancelled {cancelled.Count} task(s){(any ? " and the any-machine task" : "")}{(job == null ? "" : " of job " + job)}"
                + (stopping > 0 ? $"; {stopping} machine(s) deploying now are told to stop at their next report" : "");
            logger.LogInformation("{By}: {Message}", Who(context), message);
            return Results.Json(new ArmResult { Job = job ?? "*", Machines = cancelled, AnyMachine = any, Message = message }, TaskJsonContext.Default.ArmResult);
        });

        app.MapPost("/wake", async (HttpContext context, ControlAccess access, ServerSettings settings, WakeOnLanSender sender, ILogger<WakeOnLanSender> logger) =>
        {
            var (request, job, refused) = await ReadAsync(context, access, settings, TaskJsonContext.Default.WakeRequest, needsJob: false);
            if (refused != null)
            {
                return refused;
            }
            var (machines, any, error) = MachineSelection.Resolve(request!.Machines, job, settings);
            if (any)
            {
                error = "Wake-on-LAN needs the machines' MACs: 'any' cannot be woken";
            }
            if (error != null)
            {
                return BadRequest(error);
            }
            try
            {
                sender.Send(machines);
            }
            catch (System.Net.Sockets.SocketException e)
            {
                return Results.Text($"could not send the magic packets on {sender.Interface ?? "the default route"}: {e.Message}\n", statusCode: 500);
            }
            var message = $"magic packets sent to {machines.Count} machine(s) (UDP broadcast, port {WakeOnLanSender.Port}, {sender.Interface ?? "default route"})";
            logger.LogInformation("{By}: {Message}", Who(context), message);
            return Results.Json(new WakeResult { Machines = machines.Select(m => m.ToString()).ToList(), Interface = sender.Interface ?? "", Message = message },
                TaskJsonContext.Default.WakeResult);
        });
    }

    private static (string? Job, string? Error) ResolveJob(string? name, ServerSettings settings)
    {
        name ??= settings.Options.DefaultJob;
        if (name == null)
        {
            return (null, $"job: name one (jobs: {string.Join(", ", settings.Jobs.Keys)}); there is no DefaultJob");
        }
        var job = settings.Jobs.Keys.FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase));
        return job != null ? (job, null) : (null, $"job: no job '{name}' (jobs: {string.Join(", ", settings.Jobs.Keys)})");
    }

    /// <summary>
    /// What every control call does first: refuses a caller <see cref="ControlAccess"/> does not
    /// allow, reads the JSON body, and resolves the job it names (case as configured). With
    /// <paramref name="needsJob"/> a request without one means DefaultJob; otherwise no job named
    /// stays null (cancel or wake of every job).
    /// </summary>
    private static async Task<(T? Request, string? Job, IResult? Refused)> ReadAsync<T>(HttpContext context, ControlAccess access, ServerSettings settings,
        JsonTypeInfo<T> type, bool needsJob) where T : class, IMachineRequest
    {
        if (access.Refuse(context) is { } refused)
        {
            return (null, null, refused);
        }
        var (request, refusedBody) = await JsonBody.ReadAsync(context, type, "not a valid request");
        if (request == null)
        {
            return (null, null, refusedBody);
        }
        if (request.Job == null && !needsJob)
        {
            return (request, null, null);
        }
        var (job, error) = ResolveJob(request.Job, settings);
        return job == null ? (null, null, BadRequest(error!)) : (request, job, null);
    }

    private static IResult BadRequest(string problem) => Results.Text(problem + "\n", statusCode: 400);

    /// <summary>"root@lab-server from 127.0.0.1": the header (printable, at most 64 characters kept) and the connection's address.</summary>
    private static string Who(HttpContext context)
    {
        var by = context.Request.Headers[ByHeader].ToString();
        by = new string(by.Where(c => c is >= ' ' and <= '~').Take(64).ToArray());
        var remote = context.Connection.RemoteIpAddress is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : "?";
        return (by.Length > 0 ? by : "HTTP") + " from " + remote;
    }
}

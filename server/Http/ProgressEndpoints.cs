using System.Text.Json;
using EzioPxe.Contracts.Machines;
using EzioPxe.Contracts.Progress;
using EzioPxe.Contracts;
using EzioPxe.Server.Configuration;
using EzioPxe.Server.Status;
using EzioPxe.Server.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace EzioPxe.Server.Http;

/// <summary>POST /progress: a client's <see cref="ProgressReport"/>; the answer is a <see cref="ProgressReply"/>.</summary>
public static class ProgressEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/progress", async (HttpContext context, MachineRegistry machines, ServerSettings settings, MachineLifecycle lifecycle, ILogger<MachineRegistry> logger) =>
        {
            ProgressReport? report;
            try
            {
                report = await JsonSerializer.DeserializeAsync(context.Request.Body, ContractsJsonContext.Default.ProgressReport, context.RequestAborted);
            }
            catch (JsonException e)
            {
                return Results.Text($"not a progress report: {e.Message}\n", statusCode: 400);
            }
            catch (BadHttpRequestException e)
            {
                // Kestrel's body size limit (Server:MaxRequestBodyBytes), or a broken body.
                return Results.Text(e.Message + "\n", statusCode: e.StatusCode);
            }
            if (report == null)
            {
                return Results.Text("not a progress report: null\n", statusCode: 400);
            }
            if (!MacAddress.TryParse(report.Mac, out var mac))
            {
                return Results.Text($"mac: '{report.Mac}' is not a MAC address (aa:bb:cc:dd:ee:ff)\n", statusCode: 400);
            }
            if (!ProgressStates.All.Contains(report.State))
            {
                return Results.Text($"state: '{report.State}' is not one of {string.Join(", ", ProgressStates.All)}\n", statusCode: 400);
            }
            if (report.Job == null)
            {
                report = report with { Job = lifecycle.JobFor(mac, claim: false) ?? settings.Machines.GetValueOrDefault(mac)?.Job };
            }
            var remote = context.Connection.RemoteIpAddress is { } ip ? (ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip).ToString() : null;
            if (machines.Record(mac, report, remote) is not { } reply)
            {
                return Results.Text($"this server already follows {MachineRegistry.MaxMachines} machines\n", statusCode: 503);
            }
            lifecycle.OnProgress(mac, report);
            if (report.State is ProgressStates.Done or ProgressStates.Failed)
            {
                logger.LogInformation("machine {Mac} ({Address}) {State}{Error}", mac, report.Address ?? remote, report.State, report.Error == null ? "" : ": " + report.Error);
            }
            return Results.Json(reply, ContractsJsonContext.Default.ProgressReply);
        });
    }
}

using System.Net;
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

/// <summary>
/// POST /progress: a client's <see cref="ProgressReport"/>; the answer is a <see cref="ProgressReply"/>.
/// Any LAN host can POST, so a report counts only with the machine's key (<see cref="MachineKeys"/>),
/// from the address this server's DHCP leased to the machine if it did (<see cref="LeasedAddresses"/>),
/// its room is the server's own (the configured job, or the job the key was made for), and its
/// address is the TCP source. A machine neither listed nor armed is recorded as not expected: it
/// does not decide a room that has expected machines.
/// </summary>
public static class ProgressEndpoints
{
    public static void Map(WebApplication app)
    {
        app.MapPost("/progress", async (HttpContext context, MachineRegistry machines, MachineKeys keys, LeasedAddresses leased, ServerSettings settings, MachineLifecycle lifecycle, ILogger<MachineRegistry> logger) =>
        {
            var (report, refused) = await JsonBody.ReadAsync(context, ContractsJsonContext.Default.ProgressReport, "not a progress report");
            if (report == null)
            {
                return refused!;
            }
            if (!MacAddress.TryParse(report.Mac, out var mac))
            {
                return Results.Text($"mac: '{Shorten(report.Mac)}' is not a MAC address (aa:bb:cc:dd:ee:ff)\n", statusCode: 400);
            }
            if (!ProgressStates.All.Contains(report.State))
            {
                return Results.Text($"state: '{Shorten(report.State)}' is not one of {string.Join(", ", ProgressStates.All)}\n", statusCode: 400);
            }
            var (job, problem, expected) = RoomOf(mac, report.Job, settings, lifecycle);
            if (job == null)
            {
                return Results.Text(problem + "\n", statusCode: 403);
            }
            if (!keys.Verify(mac, job, report.Key))
            {
                return Results.Text($"key: {(report.Key == null ? "missing" : "wrong")} for machine {mac} in job {job} (the key comes with the job asked for by MAC, or as ezio.key)\n", statusCode: 403);
            }
            var source = context.Connection.RemoteIpAddress ?? IPAddress.None;
            if (leased.Refusal(mac, source) is { } elsewhere)
            {
                // Its key may have been read from its boot menu by anyone; its lease is its own.
                return Results.Text(elsewhere + "\n", statusCode: 403);
            }
            var outcome = machines.Record(mac, job, report, source, expected);
            if (outcome.Reply is not { } reply)
            {
                return Results.Text(outcome.Refusal + "\n", statusCode: outcome.StatusCode);
            }
            // The deployment's task and history follow the report, in the server's room.
            lifecycle.OnProgress(mac, report with { Job = job });
            if (outcome.StateChanged && report.State is ProgressStates.Done or ProgressStates.Failed)
            {
                // Once per change, not per report: a machine repeating "failed" must not grow the log.
                var kept = machines.Machines.FirstOrDefault(m => m.Mac == mac.ToString());
                logger.LogInformation("machine {Mac} ({Address}) {State}{Error}", mac, kept?.RemoteAddress, report.State, kept?.Report.Error is { } error ? ": " + error : "");
            }
            // A cancelled task (eziopxe deploy --cancel) reaches its machine here, at its next report.
            return Results.Json(lifecycle.Tasks.IsCancelled(mac) ? reply with { Stop = true } : reply, ContractsJsonContext.Default.ProgressReply);
        });
    }

    /// <summary>
    /// The room of a report, by the server's own mapping: the job of the machine's task (or its
    /// listed job with Arm: always), else a listed machine's job, whatever the report says; an
    /// unlisted machine without a task may name a job (its key must have been made for that job);
    /// it is then not <c>Expected</c>.
    /// </summary>
    public static (string? Job, string? Problem, bool Expected) RoomOf(MacAddress mac, string? reportedJob, ServerSettings settings, MachineLifecycle lifecycle)
    {
        var named = reportedJob == null ? null : settings.Jobs.Keys.FirstOrDefault(k => string.Equals(k, reportedJob, StringComparison.OrdinalIgnoreCase));
        var assigned = lifecycle.JobFor(mac, claim: false) ?? settings.Machines.GetValueOrDefault(mac)?.Job;
        if (assigned != null)
        {
            return reportedJob == null || string.Equals(named, assigned, StringComparison.OrdinalIgnoreCase)
                ? (assigned, null, true)
                : (null, $"job: machine {mac} runs job {assigned} on this server, not '{Shorten(reportedJob)}'", true);
        }
        if (reportedJob != null)
        {
            return named != null ? (named, null, false) : (null, $"job: no job '{Shorten(reportedJob)}' on this server", false);
        }
        return (null, $"machine {mac} has no task, is not in Machines and names no job", false);
    }

    /// <summary>Echoed values are cut: an answer must not be a copy of a 64 KiB body.</summary>
    private static string? Shorten(string? text) => text == null || text.Length <= 64 ? text : text[..64] + "…";
}

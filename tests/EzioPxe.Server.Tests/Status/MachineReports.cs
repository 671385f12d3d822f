using System.Net.Http.Json;
using EzioPxe.Contracts;
using EzioPxe.Contracts.Progress;

namespace EzioPxe.Server.Tests.Status;

/// <summary>Posts progress the way the real client does: with the report key of the job it fetched by MAC.</summary>
internal static class MachineReports
{
    /// <summary>The key the server hands this machine with its job (GET /jobs/{mac}, or /jobs/{job}?mac=).</summary>
    public static async Task<string> KeyAsync(HttpClient http, string mac, string? job = null)
    {
        var url = job == null ? $"jobs/{mac}" : $"jobs/{job}?mac={mac}";
        var description = await http.GetFromJsonAsync(url, ContractsJsonContext.Default.JobDescription);
        return description?.Key ?? throw new InvalidOperationException($"GET {url} gave no key");
    }

    /// <summary>POSTs the report with its key (fetched when the report has none).</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient http, ProgressReport report)
    {
        var keyed = report.Key == null ? report with { Key = await KeyAsync(http, report.Mac!, report.Job) } : report;
        return await http.PostAsJsonAsync("progress", keyed, ContractsJsonContext.Default.ProgressReport);
    }
}

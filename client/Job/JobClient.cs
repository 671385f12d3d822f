using System.Net.Http.Json;
using System.Net;
using System.Text.Json;
using EzioPxe.Contracts.Jobs;
using EzioPxe.Contracts;

namespace EzioPxe.Client.Job;

/// <summary>Fetches the machine's <see cref="JobDescription"/> from the server (GET /jobs/{name-or-mac}).</summary>
public static class JobClient
{
    /// <summary>Throws <see cref="JobConfigurationException"/> when the server has no such job or answers with something that is not a job.</summary>
    public static async Task<JobDescription> FetchAsync(HttpClient http, Uri jobUrl, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(jobUrl, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new JobConfigurationException([$"the server has no job at {jobUrl} (404)"]);
        }
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"GET {jobUrl}: {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
        }
        try
        {
            return await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.JobDescription, cancellationToken)
                ?? throw new JobConfigurationException([$"the server's job at {jobUrl} is null"]);
        }
        catch (JsonException e)
        {
            throw new JobConfigurationException([$"the server's job at {jobUrl} is not valid JSON: {e.Message}"], e);
        }
    }
}

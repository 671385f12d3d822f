using System.Net.Http.Json;
using EzioPxe.Contracts.Progress;
using EzioPxe.Contracts;

namespace EzioPxe.Client.Progress;

/// <summary>
/// POSTs the machine's state to the server (POST /progress). A server that is down or restarting
/// must not stop a deployment: failures are counted and the last error kept, nothing is thrown.
/// </summary>
public sealed class ProgressPoster(HttpClient http, Uri progressUrl)
{
    public int Failures { get; private set; }

    public string? LastError { get; private set; }

    /// <summary>The server's reply, or null when it could not be reached.</summary>
    public async Task<ProgressReply?> PostAsync(ProgressReport report, CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            using var response = await http.PostAsJsonAsync(progressUrl, report, ContractsJsonContext.Default.ProgressReport, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                Fail($"POST {progressUrl}: {(int)response.StatusCode}");
                return null;
            }
            return await response.Content.ReadFromJsonAsync(ContractsJsonContext.Default.ProgressReply, timeout.Token);
        }
        catch (Exception e) when (e is HttpRequestException or System.Text.Json.JsonException || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Fail(e.Message);
            return null;
        }
    }

    private void Fail(string error)
    {
        Failures++;
        LastError = error;
    }
}

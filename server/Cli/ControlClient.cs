using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace EzioPxe.Server.Cli;

/// <summary>
/// POSTs one JSON request to the server's control API (POST /tasks, /tasks/cancel, /wake), naming
/// who sends it (user@host), and prints the answer the way every control command does.
/// </summary>
public static class ControlClient
{
    /// <summary>
    /// Sends <paramref name="request"/> and prints <paramref name="describe"/> of the answer. Exit
    /// codes: 0 done, 1 server unreachable or refused, 2 the server found the request wrong (400, 409).
    /// </summary>
    public static int Send<TRequest, TResult>(CommandArguments command, ServerLocator server, string path, TRequest request,
        JsonTypeInfo<TRequest> requestType, JsonTypeInfo<TResult> resultType, Func<TResult, string> describe, TextWriter output, TextWriter error)
    {
        try
        {
            var (status, body) = Post(server, command.Command, path, request, requestType);
            if (status != 200)
            {
                error.Write($"eziopxe {command.Command}: the server refused ({status}): {body}");
                return status is 400 or 409 ? 2 : 1;
            }
            output.WriteLine(describe(JsonSerializer.Deserialize(body, resultType)!));
            return 0;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            error.WriteLine($"eziopxe {command.Command}: {server.Unreachable(path, e)}");
            return 1;
        }
    }

    private static (int Status, string Body) Post<T>(ServerLocator server, string command, string path, T request, JsonTypeInfo<T> type)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        using var content = new StringContent(JsonSerializer.Serialize(request, type), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        using var message = new HttpRequestMessage(HttpMethod.Post, server.Url(path)) { Content = content };
        message.Headers.Add(Http.TaskEndpoints.ByHeader, $"eziopxe {command} ({Environment.UserName}@{Environment.MachineName})");
        using var response = http.Send(message);
        return ((int)response.StatusCode, response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
    }
}

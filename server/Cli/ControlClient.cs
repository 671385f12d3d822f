using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace EzioPxe.Server.Cli;

/// <summary>
/// POSTs one JSON request to the server's control API (POST /tasks, /tasks/cancel, /wake), naming
/// who sends it (user@host); returns the answer's status and body.
/// </summary>
public static class ControlClient
{
    public static (int Status, string Body) Post<T>(ServerLocator server, string command, string path, T request, JsonTypeInfo<T> type)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        using var content = new StringContent(JsonSerializer.Serialize(request, type), Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        using var message = new HttpRequestMessage(HttpMethod.Post, server.Url(path)) { Content = content };
        message.Headers.Add(Http.TaskEndpoints.ByHeader, $"eziopxe {command} ({Environment.UserName}@{Environment.MachineName})");
        using var response = http.Send(message);
        return ((int)response.StatusCode, response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
    }
}

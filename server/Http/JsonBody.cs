using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Http;

namespace EzioPxe.Server.Http;

/// <summary>
/// A JSON request body, read whole before it is parsed. Parsing while reading
/// (JsonSerializer.DeserializeAsync on the body stream) parses the first 16 KiB as soon as they
/// are in: an oversized body that starts with garbage then got 400 or 413 depending on how much
/// of it had arrived when the server first looked (a chunked body under load). Read whole, a body
/// over the limit (Kestrel's Server:MaxRequestBodyBytes, or the endpoint's own) is always 413,
/// and only a body within the limit is parsed.
/// </summary>
internal static class JsonBody
{
    /// <summary>
    /// The body as <typeparamref name="T"/>, or the answer refusing it: Kestrel's status (413 over
    /// the limit, 400 for a broken body) or 400 "<paramref name="notA"/>: why" for JSON that is
    /// not a <typeparamref name="T"/> (or null).
    /// </summary>
    public static async Task<(T? Value, IResult? Refused)> ReadAsync<T>(HttpContext context, JsonTypeInfo<T> type, string notA) where T : class
    {
        using var body = new MemoryStream();
        try
        {
            await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        }
        catch (BadHttpRequestException e)
        {
            return (null, Results.Text(e.Message + "\n", statusCode: e.StatusCode));
        }
        try
        {
            var value = JsonSerializer.Deserialize(body.GetBuffer().AsSpan(0, (int)body.Length), type);
            return value == null ? (null, Results.Text($"{notA}: null\n", statusCode: 400)) : (value, null);
        }
        catch (JsonException e)
        {
            return (null, Results.Text($"{notA}: {e.Message}\n", statusCode: 400));
        }
    }
}

using System.Text.Json.Serialization;

namespace EzioPxe.Server.Status;

/// <summary>Source-generated JSON for GET /status (camelCase), shared by the endpoint and `eziopxe status`.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(ServerStatus))]
public sealed partial class StatusJsonContext : JsonSerializerContext
{
}

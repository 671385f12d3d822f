using System.Text.Json.Serialization;
using EzioPxe.Contracts.Capture;
using EzioPxe.Contracts.Jobs;
using EzioPxe.Contracts.Progress;

namespace EzioPxe.Contracts;

/// <summary>
/// Source-generated JSON for the client/server contracts (NativeAOT has no reflection-based
/// serializer). camelCase on the wire; null fields are left out.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true)]
[JsonSerializable(typeof(JobDescription))]
[JsonSerializable(typeof(ProgressReport))]
[JsonSerializable(typeof(ProgressReply))]
[JsonSerializable(typeof(CapturePlan))]
[JsonSerializable(typeof(CaptureStatus))]
public sealed partial class ContractsJsonContext : JsonSerializerContext
{
}

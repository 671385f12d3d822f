using System.Text.Json.Serialization;

namespace EzioPxe.Server.Tasks;

/// <summary>Source-generated JSON for the task file, the history file and the task API (camelCase, like every other endpoint).</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNameCaseInsensitive = true,
    WriteIndented = true)]
[JsonSerializable(typeof(TaskFile))]
[JsonSerializable(typeof(List<DeploymentRecord>))]
[JsonSerializable(typeof(ArmRequest))]
[JsonSerializable(typeof(ArmResult))]
[JsonSerializable(typeof(WakeRequest))]
[JsonSerializable(typeof(WakeResult))]
public sealed partial class TaskJsonContext : JsonSerializerContext
{
}

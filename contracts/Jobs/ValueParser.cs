using System.Diagnostics.CodeAnalysis;

namespace EzioPxe.Contracts.Jobs;

/// <summary>
/// The shape of every job-value parser: the value, or an error in words that names what was
/// written. Server (configuration) and client (kernel command line, server job) use the same
/// parsers, so a value one side accepts the other accepts too.
/// </summary>
public delegate bool ValueParser<T>(string text, [MaybeNullWhen(false)] out T value, [NotNullWhen(false)] out string? error);

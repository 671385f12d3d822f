using Microsoft.Extensions.Configuration;

namespace EzioPxe.Client.Job;

/// <summary>
/// Configuration from the kernel command line: <c>ezio.disk=/dev/sda</c> becomes the key
/// <c>disk</c>. Other parameters (console=, initrd=, BOOT_IMAGE=...) belong to the kernel or the
/// boot loader and are ignored. A flag (no '=') gets the value "true" and is remembered in
/// <see cref="Flags"/>, so that a setting that needs a value can say it got none.
/// </summary>
public sealed class KernelCommandLineConfigurationProvider : ConfigurationProvider
{
    private readonly KernelCommandLineConfigurationSource _source;

    public KernelCommandLineConfigurationProvider(KernelCommandLineConfigurationSource source) => _source = source;

    public string Prefix => _source.Prefix;

    /// <summary>Keys (without the prefix) that appeared as flags, without '='.</summary>
    public IReadOnlySet<string> Flags { get; private set; } = new HashSet<string>();

    /// <summary>Our parameters that cannot become a key at all, e.g. <c>ezio.</c> or <c>ezio.a:b</c>; as written.</summary>
    public IReadOnlyList<string> Malformed { get; private set; } = [];

    public override void Load()
    {
        var text = _source.Text ?? ReadCommandLine(_source.Path);
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var flags = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var malformed = new List<string>();
        foreach (var parameter in KernelCommandLine.Parse(text))
        {
            if (!parameter.Name.StartsWith(_source.Prefix, StringComparison.Ordinal))
            {
                continue;
            }
            var key = parameter.Name[_source.Prefix.Length..];
            // ':' would make a configuration section; an empty name has no meaning.
            if (key.Length == 0 || key.Contains(':', StringComparison.Ordinal))
            {
                malformed.Add(parameter.ToString());
                continue;
            }
            // As with the kernel's own parameters, the last one given wins.
            data[key] = parameter.Value ?? "true";
            if (parameter.IsFlag)
            {
                flags.Add(key);
            }
            else
            {
                flags.Remove(key);
            }
        }
        Data = data;
        Flags = flags;
        Malformed = malformed;
    }

    private static string ReadCommandLine(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException e)
        {
            throw new JobConfigurationException([$"cannot read the kernel command line {path}: {e.Message}"], e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new JobConfigurationException([$"cannot read the kernel command line {path}: {e.Message}"], e);
        }
    }
}

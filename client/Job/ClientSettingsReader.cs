using System.Diagnostics.CodeAnalysis;
using EzioPxe.Contracts.Jobs;
using EzioPxe.Contracts.Machines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace EzioPxe.Client.Job;

/// <summary>
/// Reads <see cref="ClientSettings"/> from configuration by hand (no reflection binder), and
/// names every unknown or malformed setting the way the user wrote it: <c>ezio.foo</c> on the
/// kernel command line, <c>EZIO_FOO</c> in the environment, <c>--foo</c> on the command line.
/// </summary>
public static class ClientSettingsReader
{
    /// <summary>
    /// Parses a setting that may be absent (false, nothing reported). A bad value is reported in
    /// <paramref name="problems"/> under <paramref name="name"/>, so that every problem is told at once.
    /// </summary>
    internal static bool TryParseSetting<T>(string? text, ValueParser<T> parse, string name, List<string> problems, [MaybeNullWhen(false)] out T value)
    {
        value = default;
        if (text == null)
        {
            return false;
        }
        if (parse(text, out value, out var error))
        {
            return true;
        }
        problems.Add($"{name}: {error}");
        return false;
    }

    /// <summary>The setting names, as keys (the kernel parameter is <c>ezio.</c> + key).</summary>
    public static IReadOnlyList<string> Keys { get; } = ["server", "job", "torrent", "disk", "part", "after", "seed", "log", "mac", "mode", "image", "overwrite", "key", "infohash", "serverwait"];

    /// <summary>
    /// Kernel parameters of the initramfs's /init (docs/initramfs.md), not of the client: on the
    /// same command line, so neither unknown nor the client's to check.
    /// </summary>
    public static IReadOnlyList<string> InitKeys { get; } = ["debug", "dhcp_tries", "init", "linkwait", "modules", "wait"];

    /// <summary>Throws <see cref="JobConfigurationException"/> listing every problem at once, so one reboot fixes them all.</summary>
    public static ClientSettings Read(IConfigurationRoot configuration, string environmentPrefix = ClientConfiguration.EnvironmentPrefix)
    {
        var problems = new List<string>();
        CheckNames(configuration, environmentPrefix, problems);

        string? Text(string key) => configuration[key];
        string Name(string key) => NameOf(configuration, key, environmentPrefix);

        T? Get<T>(string key, ValueParser<T> parse)
            where T : class
            => TryParseSetting(Text(key), parse, Name(key), problems, out var value) ? value : null;

        T? GetValue<T>(string key, ValueParser<T> parse)
            where T : struct
            => TryParseSetting(Text(key), parse, Name(key), problems, out var value) ? value : null;

        var settings = new ClientSettings
        {
            Server = Get<ServerAddress>("server", ServerAddress.TryParse),
            Job = Get<string>("job", JobValues.TryParseJobName),
            TorrentUrl = Get<Uri>("torrent", JobValues.TryParseTorrentUrl),
            Disk = Get<string>("disk", JobValues.TryParseDisk),
            Partition = GetValue<int>("part", JobValues.TryParsePartition),
            After = GetValue<AfterAction>("after", AfterActions.TryParse),
            Seed = GetValue<SeedPolicy>("seed", SeedPolicy.TryParse),
            LogLevel = GetValue<ClientLogLevel>("log", ClientLogLevels.TryParse),
            Mac = GetValue<MacAddress>("mac", MacAddress.TryParse),
            Mode = GetValue<JobMode>("mode", JobModes.TryParse),
            Image = Get<string>("image", JobValues.TryParseImageName),
            Overwrite = GetValue<bool>("overwrite", JobValues.TryParseYesNo),
            Key = Get<string>("key", JobValues.TryParseKey),
            InfoHash = Get<string>("infohash", JobValues.TryParseInfoHash),
            ServerWait = GetValue<TimeSpan>("serverwait", JobValues.TryParseServerWait),
        };

        if (problems.Count == 0)
        {
            if (settings.Mode == JobMode.Capture && settings.Server == null)
            {
                problems.Add($"{Name("mode")}=capture needs ezio.server=HOST[:PORT] to send the disk to");
            }
            else if (settings.Mode == JobMode.Capture && settings.Image == null && settings.Job == null)
            {
                problems.Add($"{Name("mode")}=capture needs ezio.image=NAME: the name the captured image gets on the server");
            }
            else if (settings.Job != null && settings.Server == null)
            {
                problems.Add($"{Name("job")}={settings.Job} needs ezio.server=HOST[:PORT] to fetch the job from");
            }
            else if (settings.TorrentUrl == null && settings.Server == null)
            {
                problems.Add("nothing to do: give ezio.server=HOST[:PORT] (the server then finds the job by MAC), ezio.job=NAME or ezio.torrent=URL");
            }
            else if (settings.TorrentUrl is { IsAbsoluteUri: false } && settings.Server == null)
            {
                problems.Add($"{Name("torrent")}={settings.TorrentUrl} is a path on the server, but no ezio.server was given");
            }
        }
        return problems.Count > 0 ? throw new JobConfigurationException(problems) : settings;
    }

    private static void CheckNames(IConfigurationRoot configuration, string environmentPrefix, List<string> problems)
    {
        foreach (var provider in configuration.Providers)
        {
            if (provider is KernelCommandLineConfigurationProvider kernel)
            {
                problems.AddRange(kernel.Malformed.Select(p => $"malformed parameter '{p}'"));
                // Every setting we know needs a value; a bare "ezio.disk" is a typo, not "true".
                problems.AddRange(kernel.Flags.Where(f => Keys.Contains(f, StringComparer.OrdinalIgnoreCase))
                    .Select(f => $"{kernel.Prefix}{f} needs a value ({kernel.Prefix}{f}=...)"));
            }
            var keys = provider.GetChildKeys([], null).Distinct(StringComparer.OrdinalIgnoreCase)
                .Where(k => provider is not KernelCommandLineConfigurationProvider || !InitKeys.Contains(k, StringComparer.OrdinalIgnoreCase));
            problems.AddRange(keys.Where(k => !Keys.Contains(k, StringComparer.OrdinalIgnoreCase))
                .Select(k => $"unknown parameter {SourceName(provider, k, environmentPrefix)} (known: {string.Join(", ", Keys)})"));
        }
    }

    /// <summary>The key as the user wrote it in the source that supplies its current value.</summary>
    private static string NameOf(IConfigurationRoot configuration, string key, string environmentPrefix)
    {
        var provider = configuration.Providers.LastOrDefault(p => p.TryGet(key, out _));
        return provider == null ? key : SourceName(provider, key, environmentPrefix);
    }

    private static string SourceName(IConfigurationProvider provider, string key, string environmentPrefix) => provider switch
    {
        KernelCommandLineConfigurationProvider kernel => kernel.Prefix + key,
        EnvironmentVariablesConfigurationProvider => environmentPrefix + key.ToUpperInvariant().Replace(':', '_'),
        CommandLineConfigurationProvider => "--" + key,
        _ => key,
    };
}

using System.Globalization;
using System.Net;
using System.Reflection;
using EzioPxe.Contracts.Jobs;
using EzioPxe.Contracts.Machines;
using EzioPxe.Imaging.Hashing;
using EzioPxe.Server.NetBoot;
using Microsoft.Extensions.Configuration;

namespace EzioPxe.Server.Configuration;

/// <summary>
/// Reads the configuration (JSON file, then EZIOPXE_ environment variables, then the command
/// line; later sources win) and checks all of it at once, so the administrator sees every
/// mistake in one go, each with the key that holds it.
/// </summary>
public static class ConfigurationLoader
{
    public const string EnvironmentPrefix = "EZIOPXE_";

    /// <summary>Sections owned by other parts of the program; passed through unchecked ("Logging": ASP.NET Core's own).</summary>
    public static readonly IReadOnlyList<string> ForeignSections = ["Logging"];

    /// <summary>Short command-line options for the keys an administrator changes most.</summary>
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>
    {
        ["--address"] = "Server:Address",
        ["--public-address"] = "Server:PublicAddress",
        ["--port"] = "Server:HttpPort",
        ["--peer-port"] = "Server:PeerPort",
        ["--data"] = "Server:DataDirectory",
        ["--boot"] = "Server:BootDirectory",
        ["--default-job"] = "DefaultJob",
    };

    /// <summary>Builds the layered configuration. <paramref name="configFile"/> null: no file.</summary>
    public static IConfigurationRoot Build(string? configFile, string[] commandLine, IDictionary<string, string?>? environment = null)
    {
        var builder = new ConfigurationBuilder();
        if (configFile != null)
        {
            var full = Path.GetFullPath(configFile);
            if (!File.Exists(full))
            {
                throw new ConfigurationException([$"config file {full} does not exist"]);
            }
            builder.AddJsonFile(full, optional: false, reloadOnChange: false);
        }
        if (environment == null)
        {
            builder.AddEnvironmentVariables(EnvironmentPrefix);
        }
        else
        {
            // Tests pass their own environment; same prefix and "__" nesting as the real one.
            builder.AddInMemoryCollection(environment
                .Where(e => e.Key.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
                .Select(e => KeyValuePair.Create(e.Key[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal), e.Value)));
        }
        builder.AddCommandLine(commandLine, SwitchMappings.ToDictionary(p => p.Key, p => p.Value));
        try
        {
            return builder.Build();
        }
        catch (InvalidDataException e)
        {
            throw new ConfigurationException([$"{configFile}: not valid JSON{JsonProblem(e)}"]);
        }
        catch (FormatException e)
        {
            throw new ConfigurationException([$"command line: {e.Message}"]);
        }
    }

    /// <summary>Binds and checks; throws <see cref="ConfigurationException"/> listing every problem.</summary>
    public static ServerSettings Load(IConfiguration configuration)
    {
        var problems = new List<string>();
        CheckUnknownKeys(configuration, problems);
        var options = new EzioPxeOptions();
        // Key by key, so that one value of the wrong type does not hide the others.
        Bind(configuration.GetSection("Server"), options.Server, problems);
        Bind(configuration.GetSection("Tracker"), options.Tracker, problems);
        foreach (var image in configuration.GetSection("Images").GetChildren())
        {
            Bind(image, options.Images[image.Key] = new ImageOptions(), problems);
        }
        foreach (var job in configuration.GetSection("Jobs").GetChildren())
        {
            Bind(job, options.Jobs[job.Key] = new JobOptions(), problems);
        }
        foreach (var machine in configuration.GetSection("Machines").GetChildren().OrderBy(m => int.TryParse(m.Key, CultureInfo.InvariantCulture, out var i) ? i : int.MaxValue))
        {
            var entry = new MachineOptions();
            Bind(machine, entry, problems);
            options.Machines.Add(entry);
        }
        if (configuration.GetSection("NetBoot").Exists())
        {
            Bind(configuration.GetSection("NetBoot"), options.NetBoot = new NetBootOptions(), problems);
        }
        options.DefaultJob = configuration["DefaultJob"] is { Length: > 0 } defaultJob ? defaultJob : null;

        var address = CheckServer(options.Server, problems);
        var netBoot = options.NetBoot == null ? null : NetBootSettings.Check(options.NetBoot, options.Server, address, problems);
        CheckTracker(options.Tracker, problems);
        var images = CheckImages(options, problems);
        images.AddRange(CapturedImages(options, images));
        CheckJobs(options, images, problems);
        var machines = CheckMachines(options, problems);
        if (options.DefaultJob != null && !options.Jobs.ContainsKey(options.DefaultJob))
        {
            problems.Add($"DefaultJob: no job named '{options.DefaultJob}' in Jobs ({Known(options.Jobs.Keys)})");
        }
        if (problems.Count > 0)
        {
            throw new ConfigurationException(problems);
        }
        return new ServerSettings
        {
            Options = options,
            Configuration = configuration,
            Address = address!,
            Images = images,
            Jobs = options.Jobs,
            Machines = machines,
            NetBoot = netBoot,
        };
    }

    private static void Bind(IConfigurationSection section, object target, List<string> problems)
    {
        foreach (var property in target.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            var child = section.GetSection(property.Name);
            if (!child.Exists())
            {
                continue;
            }
            if (child.Value == null && IsSingleValue(property.PropertyType))
            {
                // [1] or {"a": 1} for a number: the binder would quietly make it 0.
                problems.Add($"{child.Path}: expected one value, not a list or object");
                continue;
            }
            try
            {
                if (child.Get(property.PropertyType) is { } value)
                {
                    property.SetValue(target, value);
                }
            }
            catch (InvalidOperationException)
            {
                problems.Add($"{child.Path}: '{child.Value}' is not {Expected(property.PropertyType)}");
            }
        }
    }

    private static IPAddress? CheckServer(ServerOptions server, List<string> problems)
    {
        if (!IPAddress.TryParse(server.Address, out var address))
        {
            problems.Add($"Server:Address: '{server.Address}' is not an IP address (use 0.0.0.0 for every interface)");
        }
        if (server.PublicAddress != null && Uri.CheckHostName(server.PublicAddress) == UriHostNameType.Unknown)
        {
            problems.Add($"Server:PublicAddress: '{server.PublicAddress}' is not a host name or IP address");
        }
        CheckPort("Server:HttpPort", server.HttpPort, problems);
        CheckPort("Server:PeerPort", server.PeerPort, problems);
        if (server.HttpPort == server.PeerPort)
        {
            problems.Add($"Server:PeerPort: {server.PeerPort} is also Server:HttpPort; the seeder needs a port of its own");
        }
        if (string.IsNullOrWhiteSpace(server.DataDirectory))
        {
            problems.Add("Server:DataDirectory: must not be empty");
        }
        if (server.BootDirectory != null && !Directory.Exists(server.BootDirectory))
        {
            problems.Add($"Server:BootDirectory: directory {Path.GetFullPath(server.BootDirectory)} does not exist");
        }
        foreach (var network in server.ControlFrom)
        {
            if (!IPNetwork.TryParse(network, out _) && !IPAddress.TryParse(network, out _))
            {
                problems.Add($"Server:ControlFrom: '{network}' is not an address or network (10.0.0.5, 10.0.0.0/24)");
            }
        }
        if (server.MaxRequestBodyBytes is < 1024 or > 64L << 20)
        {
            problems.Add($"Server:MaxRequestBodyBytes: {server.MaxRequestBodyBytes} is outside 1024..67108864");
        }
        for (var i = 0; i < server.AllowedNetworks.Count; i++)
        {
            if (!IPNetwork.TryParse(server.AllowedNetworks[i], out _))
            {
                problems.Add($"Server:AllowedNetworks:{i}: '{server.AllowedNetworks[i]}' is not a network like 10.77.0.0/24 (address/prefix length, no host bits set)");
            }
        }
        if (server.MachinesPerAddress is < 1 or > 10_000)
        {
            problems.Add($"Server:MachinesPerAddress: {server.MachinesPerAddress} is outside 1..10000");
        }
        return address;
    }

    private static void CheckTracker(TrackerOptions tracker, List<string> problems)
    {
        if (tracker.IntervalSeconds is < 1 or > 3600)
        {
            problems.Add($"Tracker:IntervalSeconds: {tracker.IntervalSeconds} is outside 1..3600");
        }
        if (tracker.MinIntervalSeconds < 1 || tracker.MinIntervalSeconds > tracker.IntervalSeconds)
        {
            problems.Add($"Tracker:MinIntervalSeconds: {tracker.MinIntervalSeconds} must be from 1 to Tracker:IntervalSeconds ({tracker.IntervalSeconds})");
        }
        if (tracker.PeerTimeoutSeconds <= tracker.IntervalSeconds)
        {
            problems.Add($"Tracker:PeerTimeoutSeconds: {tracker.PeerTimeoutSeconds} must be longer than Tracker:IntervalSeconds ({tracker.IntervalSeconds}), or every peer expires between two announces");
        }
        if (tracker.MaxPeers is < 1 or > 1000)
        {
            problems.Add($"Tracker:MaxPeers: {tracker.MaxPeers} is outside 1..1000");
        }
        if (tracker.DefaultPeers < 0 || tracker.DefaultPeers > tracker.MaxPeers)
        {
            problems.Add($"Tracker:DefaultPeers: {tracker.DefaultPeers} must be from 0 to Tracker:MaxPeers ({tracker.MaxPeers})");
        }
        if (tracker.PeersPerAddress is < 1 or > 1000)
        {
            problems.Add($"Tracker:PeersPerAddress: {tracker.PeersPerAddress} is outside 1..1000");
        }
        if (tracker.UdpPort is < 0 or > 65535)
        {
            problems.Add($"Tracker:UdpPort: {tracker.UdpPort} is not a port number (1-65535, or 0 for no UDP tracker)");
        }
        if (tracker.OriginUntilSeeders < 0)
        {
            problems.Add($"Tracker:OriginUntilSeeders: {tracker.OriginUntilSeeders} must not be negative");
        }
    }

    private static List<ConfiguredImage> CheckImages(EzioPxeOptions options, List<string> problems)
    {
        var images = new List<ConfiguredImage>();
        foreach (var (name, image) in options.Images)
        {
            var key = $"Images:{name}";
            if (!JobValues.IsUrlSafeName(name))
            {
                problems.Add($"{key}: the name may hold only letters, digits, '.', '_' and '-' (it is part of URLs)");
            }
            if (string.IsNullOrWhiteSpace(image.Source))
            {
                problems.Add($"{key}:Source: missing; name a raw disk image file, a block device or a Clonezilla slices directory");
                continue;
            }
            var source = Path.TrimEndingDirectorySeparator(Path.GetFullPath(image.Source));
            // A directory is a Clonezilla BitTorrent slices directory; its torrent lies beside it (sda1 -> sda1.torrent).
            var slices = Directory.Exists(source);
            if (!File.Exists(source) && !slices)
            {
                problems.Add($"{key}:Source: {source} does not exist");
            }
            int? pieceLength = null;
            if (image.PieceSize != null)
            {
                try
                {
                    pieceLength = PieceLength.Parse(image.PieceSize);
                }
                catch (FormatException e)
                {
                    problems.Add($"{key}:PieceSize: {e.Message}");
                }
            }
            var torrent = Path.GetFullPath(image.Torrent ?? (slices ? source + ".torrent" : Path.Combine(options.Server.DataDirectory, name + ".torrent")));
            images.Add(new ConfiguredImage(name, source, torrent, pieceLength));
        }
        return images;
    }

    /// <summary>
    /// Images captured into Server:CaptureDirectory (NAME.img with its NAME.torrent) are served
    /// like configured ones, unless Images names them itself: a capture is ready to deploy at the
    /// next start, with no edit of the configuration.
    /// </summary>
    private static IEnumerable<ConfiguredImage> CapturedImages(EzioPxeOptions options, List<ConfiguredImage> configured)
    {
        var directory = Capture.CaptureFiles.DirectoryOf(options.Server);
        if (!Directory.Exists(directory))
        {
            yield break;
        }
        foreach (var image in Directory.EnumerateFiles(directory, "*.img").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(image);
            var torrent = Path.ChangeExtension(image, ".torrent");
            if (JobValues.IsUrlSafeName(name) && File.Exists(torrent)
                && !configured.Any(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase)))
            {
                yield return new ConfiguredImage(name, image, torrent, null);
            }
        }
    }

    private static void CheckJobs(EzioPxeOptions options, List<ConfiguredImage> images, List<string> problems)
    {
        foreach (var (name, job) in options.Jobs)
        {
            var key = $"Jobs:{name}";
            if (!JobValues.IsUrlSafeName(name))
            {
                problems.Add($"{key}: the name may hold only letters, digits, '.', '_' and '-' (it is part of URLs)");
            }
            if (MacAddress.TryParse(name, out _))
            {
                problems.Add($"{key}: a job name that reads as a MAC address would hide that machine's /jobs/ URL");
            }
            var imageNames = options.Images.Keys.Union(images.Select(i => i.Name), StringComparer.OrdinalIgnoreCase).ToList();
            if (job.Overwrite != null)
            {
                CheckValue<bool>($"{key}:Overwrite", job.Overwrite, JobValues.TryParseYesNo, problems);
            }
            var mode = JobMode.Deploy;
            if (job.Mode != null && !JobModes.TryParse(job.Mode, out mode, out var modeError))
            {
                problems.Add($"{key}:Mode: {modeError}");
            }
            if (mode == JobMode.Capture)
            {
                // A capture names the image it makes: a valid name, not one that exists.
                if (string.IsNullOrWhiteSpace(job.Image))
                {
                    problems.Add($"{key}:Image: missing; a capture job names the image it makes");
                }
                else
                {
                    CheckValue<string>($"{key}:Image", job.Image, JobValues.TryParseImageName, problems);
                }
            }
            else if (string.IsNullOrWhiteSpace(job.Image))
            {
                problems.Add($"{key}:Image: missing; name an entry of Images or a captured image ({Known(imageNames)})");
            }
            else if (!imageNames.Contains(job.Image, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"{key}:Image: no image named '{job.Image}' in Images ({Known(imageNames)})");
            }
            // The client's own parsers: a value accepted here is one every machine accepts.
            CheckValue<string>($"{key}:Disk", job.Disk, JobValues.TryParseDisk, problems);
            if (job.Partition != null)
            {
                CheckValue<int>($"{key}:Partition", job.Partition, JobValues.TryParsePartition, problems);
            }
            CheckValue<AfterAction>($"{key}:After", job.After, AfterActions.TryParse, problems);
            CheckValue<SeedPolicy>($"{key}:Seed", job.Seed, SeedPolicy.TryParse, problems);
            if (job.ExpectedMachines < 0)
            {
                problems.Add($"{key}:ExpectedMachines: {job.ExpectedMachines} must not be negative");
            }
            if (!ArmModes.All.Contains(job.Arm, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"{key}:Arm: '{job.Arm}' is not {string.Join(" or ", ArmModes.All)}");
            }
            if (job.LogLevel != null)
            {
                CheckValue<ClientLogLevel>($"{key}:LogLevel", job.LogLevel, ClientLogLevels.TryParse, problems);
            }
        }
    }

    private static Dictionary<MacAddress, MachineOptions> CheckMachines(EzioPxeOptions options, List<string> problems)
    {
        var machines = new Dictionary<MacAddress, MachineOptions>();
        for (var i = 0; i < options.Machines.Count; i++)
        {
            var machine = options.Machines[i];
            var key = $"Machines:{i}";
            if (!MacAddress.TryParse(machine.Mac, out var mac))
            {
                problems.Add($"{key}:Mac: '{machine.Mac}' is not a MAC address (aa:bb:cc:dd:ee:ff)");
            }
            else if (!machines.TryAdd(mac, machine))
            {
                problems.Add($"{key}:Mac: {mac} is listed twice");
            }
            if (string.IsNullOrWhiteSpace(machine.Job))
            {
                problems.Add($"{key}:Job: missing; name an entry of Jobs ({Known(options.Jobs.Keys)})");
            }
            else if (!options.Jobs.ContainsKey(machine.Job))
            {
                problems.Add($"{key}:Job: no job named '{machine.Job}' in Jobs ({Known(options.Jobs.Keys)})");
            }
        }
        return machines;
    }

    /// <summary>Typos in key names would otherwise be ignored silently and the default used.</summary>
    private static void CheckUnknownKeys(IConfiguration configuration, List<string> problems)
    {
        string[] topLevel = ["Server", "Tracker", "Images", "Jobs", "Machines", "DefaultJob", "NetBoot", .. ForeignSections];
        foreach (var section in configuration.GetChildren())
        {
            if (!topLevel.Contains(section.Key, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"{section.Key}: unknown key (known: {string.Join(", ", topLevel)})");
            }
        }
        CheckKeysOf<ServerOptions>(configuration.GetSection("Server"), problems);
        CheckKeysOf<TrackerOptions>(configuration.GetSection("Tracker"), problems);
        CheckKeysOf<NetBootOptions>(configuration.GetSection("NetBoot"), problems);
        foreach (var image in configuration.GetSection("Images").GetChildren())
        {
            CheckKeysOf<ImageOptions>(image, problems);
        }
        foreach (var job in configuration.GetSection("Jobs").GetChildren())
        {
            CheckKeysOf<JobOptions>(job, problems);
        }
        foreach (var machine in configuration.GetSection("Machines").GetChildren())
        {
            CheckKeysOf<MachineOptions>(machine, problems);
        }
    }

    private static void CheckKeysOf<T>(IConfigurationSection section, List<string> problems)
    {
        var names = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance).Select(p => p.Name).ToList();
        foreach (var child in section.GetChildren())
        {
            if (!names.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                problems.Add($"{child.Path}: unknown key (known: {string.Join(", ", names)})");
            }
        }
    }

    /// <summary>Where the JSON reader stopped, 1-based as editors count: the provider's own message names neither line nor column.</summary>
    private static string JsonProblem(Exception e)
    {
        for (var inner = e; inner != null; inner = inner.InnerException)
        {
            if (inner is System.Text.Json.JsonException { LineNumber: { } line } json)
            {
                var column = json.BytePositionInLine is { } position ? $", column {position + 1}" : "";
                var reason = json.Message.Split(" LineNumber:", 2)[0].Split(" Path:", 2)[0].TrimEnd('.', ' ');
                return $" at line {line + 1}{column}: {reason}";
            }
        }
        return ": " + (e.InnerException?.Message ?? e.Message);
    }

    /// <summary>A value the binder would read as its type's default: a list or object where one value belongs.</summary>
    private static bool IsSingleValue(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal);
    }

    /// <summary>What a value of <paramref name="type"/> looks like, in words for the administrator.</summary>
    private static string Expected(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(bool) ? "true or false"
            : type == typeof(int) || type == typeof(long) ? "a whole number"
            : $"a value of type {type.Name}";
    }

    private static void CheckPort(string key, int port, List<string> problems)
    {
        if (port is < 1 or > 65535)
        {
            problems.Add($"{key}: {port.ToString(CultureInfo.InvariantCulture)} is not a port number (1-65535)");
        }
    }

    private static void CheckValue<T>(string key, string text, ValueParser<T> parse, List<string> problems)
    {
        if (!parse(text, out _, out var error))
        {
            problems.Add($"{key}: {error}");
        }
    }

    private static string Known(IEnumerable<string> names)
    {
        var list = names.ToList();
        return list.Count == 0 ? "none configured" : "known: " + string.Join(", ", list);
    }
}

using EzioPxe.Contracts.Jobs;
using EzioPxe.Contracts.Machines;

namespace EzioPxe.Client.Job;

/// <summary>
/// What the client was told to do, from the kernel command line, the environment and its own
/// command line (<see cref="ClientSettingsReader"/>), then completed by the server's job
/// (<see cref="WithJob"/>). A null field was not given; the <c>...OrDefault</c> properties apply the defaults.
/// </summary>
public sealed record ClientSettings
{
    /// <summary><c>ezio.server</c>: the eziopxe server's HTTP.</summary>
    public ServerAddress? Server { get; init; }

    /// <summary><c>ezio.job</c>: the job's name on the server.</summary>
    public string? Job { get; init; }

    /// <summary><c>ezio.torrent</c>: the image torrent (an absolute URL, or a path on the server).</summary>
    public Uri? TorrentUrl { get; init; }

    /// <summary><c>ezio.disk</c>: "auto", a path (/dev/sda, /dev/sda2, a regular file), or a /dev/disk/by-id or by-path name.</summary>
    public string? Disk { get; init; }

    /// <summary><c>ezio.part</c>: a partition number on the disk, where a partition image goes (EZIO/Clonezilla-BT torrents).</summary>
    public int? Partition { get; init; }

    /// <summary><c>ezio.after</c>.</summary>
    public AfterAction? After { get; init; }

    /// <summary><c>ezio.seed</c>.</summary>
    public SeedPolicy? Seed { get; init; }

    /// <summary><c>ezio.log</c>.</summary>
    public ClientLogLevel? LogLevel { get; init; }

    /// <summary><c>ezio.mac</c>; null means the MAC of the interface that routes to the server.</summary>
    public MacAddress? Mac { get; init; }

    /// <summary><c>ezio.mode</c>: deploy (default) or capture.</summary>
    public JobMode? Mode { get; init; }

    /// <summary><c>ezio.image</c>: for a capture, the name the image gets on the server.</summary>
    public string? Image { get; init; }

    /// <summary><c>ezio.overwrite</c>: a capture may replace an existing image of that name.</summary>
    public bool? Overwrite { get; init; }

    public JobMode ModeOrDefault => Mode ?? JobMode.Deploy;

    public bool OverwriteOrDefault => Overwrite ?? false;
    /// <summary><c>ezio.key</c>: the machine's report key; progress reports without it are refused.</summary>
    public string? Key { get; init; }

    /// <summary><c>ezio.infohash</c>: the image's info-hash; a torrent with another one is refused.</summary>
    public string? InfoHash { get; init; }

    /// <summary><c>ezio.serverwait</c>: how long to keep retrying an unreachable server for the job and the torrent.</summary>
    public TimeSpan? ServerWait { get; init; }

    public TimeSpan ServerWaitOrDefault => ServerWait ?? JobDefaults.ServerWait;

    public string DiskOrDefault => Disk ?? JobDefaults.Disk;

    public AfterAction AfterOrDefault => After ?? JobDefaults.After;

    public SeedPolicy SeedOrDefault => Seed ?? JobDefaults.Seed;

    public ClientLogLevel LogLevelOrDefault => LogLevel ?? JobDefaults.LogLevel;

    /// <summary>
    /// Whether the job must come from the server: when <c>ezio.job</c> is given, or when no
    /// <c>ezio.torrent</c> is (the server then knows the machine by its MAC).
    /// </summary>
    public bool NeedsJobFromServer => Job != null || (TorrentUrl == null && Mode != JobMode.Capture);

    /// <summary>
    /// GET this for the job: http://SERVER/jobs/{job name, or the MAC when no name was given}; a
    /// job name gets ?mac= so that the job still carries this machine's report key.
    /// </summary>
    public Uri JobUrl(MacAddress mac)
    {
        var server = Server ?? throw new InvalidOperationException("no server to ask for the job");
        return new Uri(server.BaseUri, Job == null
            ? "jobs/" + Uri.EscapeDataString(mac.ToString())
            : "jobs/" + Uri.EscapeDataString(Job) + "?mac=" + mac);
    }

    /// <summary>The torrent URL made absolute against the server when it was given as a path.</summary>
    public Uri? AbsoluteTorrentUrl => TorrentUrl switch
    {
        null => null,
        { IsAbsoluteUri: true } url => url,
        var path => Server == null ? null : new Uri(Server.BaseUri, path),
    };

    /// <summary>
    /// Fills every field the machine's own settings left unset from the server's job, so that
    /// a kernel parameter typed at the boot prompt still beats the server. Throws
    /// <see cref="JobConfigurationException"/> naming each bad field of the job.
    /// </summary>
    public ClientSettings WithJob(JobDescription job)
    {
        var problems = new List<string>();
        var from = $"job '{job.Name ?? Job ?? "?"}' from the server";
        var merged = this with
        {
            Job = Job ?? job.Name,
            TorrentUrl = TorrentUrl ?? Parse<Uri>(job.TorrentUrl, JobValues.TryParseTorrentUrl, $"{from}: torrentUrl", problems),
            Disk = Disk ?? Parse<string>(job.Disk, JobValues.TryParseDisk, $"{from}: disk", problems),
            Partition = Partition ?? ParseValue<int>(job.Partition, JobValues.TryParsePartition, $"{from}: partition", problems),
            After = After ?? ParseValue<AfterAction>(job.After, AfterActions.TryParse, $"{from}: after", problems),
            Seed = Seed ?? ParseValue<SeedPolicy>(job.Seed, SeedPolicy.TryParse, $"{from}: seed", problems),
            LogLevel = LogLevel ?? ParseValue<ClientLogLevel>(job.LogLevel, ClientLogLevels.TryParse, $"{from}: logLevel", problems),
            Mode = Mode ?? ParseValue<JobMode>(job.Mode, JobModes.TryParse, $"{from}: mode", problems),
            Image = Image ?? Parse<string>(job.Image, JobValues.TryParseImageName, $"{from}: image", problems),
            Overwrite = Overwrite ?? ParseValue<bool>(job.Overwrite, JobValues.TryParseYesNo, $"{from}: overwrite", problems),
            // The job's key wins over ezio.key: the server made it just now, for the job it hands out now.
            Key = Parse<string>(job.Key, JobValues.TryParseKey, $"{from}: key", problems) ?? Key,
            InfoHash = InfoHash ?? Parse<string>(job.InfoHash, JobValues.TryParseInfoHash, $"{from}: infoHash", problems),
        };
        if (merged.ModeOrDefault == JobMode.Capture)
        {
            if (merged.Image == null && problems.Count == 0)
            {
                problems.Add($"{from} is a capture but names no image");
            }
        }
        else if (merged.AbsoluteTorrentUrl == null && problems.Count == 0)
        {
            problems.Add($"{from} has no torrentUrl");
        }
        return problems.Count > 0 ? throw new JobConfigurationException(problems) : merged;
    }

    private static T? Parse<T>(string? text, ValueParser<T> parse, string what, List<string> problems)
        where T : class
        => ClientSettingsReader.TryParseSetting(text, parse, what, problems, out var value) ? value : null;

    private static T? ParseValue<T>(string? text, ValueParser<T> parse, string what, List<string> problems)
        where T : struct
        => ClientSettingsReader.TryParseSetting(text, parse, what, problems, out var value) ? value : null;
}

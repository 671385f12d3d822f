using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace EzioPxe.Contracts.Jobs;

/// <summary>How long to keep seeding after the image is complete (<c>ezio.seed</c>).</summary>
public readonly record struct SeedPolicy(SeedMode Mode, TimeSpan Duration)
{
    /// <summary>Seed until the server says the whole room is done (the default: late machines still have many sources).</summary>
    public static SeedPolicy UntilDone => new(SeedMode.UntilRoomDone, TimeSpan.Zero);

    public static SeedPolicy None => new(SeedMode.None, TimeSpan.Zero);

    public static SeedPolicy For(TimeSpan duration) => new(SeedMode.ForDuration, duration);

    public override string ToString() => Mode switch
    {
        SeedMode.UntilRoomDone => "until-done",
        SeedMode.None => "none",
        _ => ((long)Duration.TotalSeconds).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Parses <c>until-done</c>, <c>none</c> or a whole number of seconds.</summary>
    public static bool TryParse(string text, out SeedPolicy policy, [NotNullWhen(false)] out string? error)
    {
        error = null;
        switch (text.ToLowerInvariant())
        {
            case "until-done":
                policy = UntilDone;
                return true;
            case "none" or "0":
                policy = None;
                return true;
        }
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds <= int.MaxValue)
        {
            policy = For(TimeSpan.FromSeconds(seconds));
            return true;
        }
        policy = default;
        error = $"'{text}' is not until-done, none or a number of seconds";
        return false;
    }
}

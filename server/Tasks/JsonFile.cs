using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace EzioPxe.Server.Tasks;

/// <summary>
/// A small state file in DataDirectory, read at start and replaced whole on each change (temp file,
/// fsync, rename), so a crash or power cut leaves either the old or the new file, never half of one.
/// </summary>
public static class JsonFile
{
    /// <summary>The file's content, or <paramref name="empty"/> when it does not exist. A broken file throws <see cref="InvalidDataException"/> naming it.</summary>
    public static T Read<T>(string path, JsonTypeInfo<T> type, T empty)
    {
        if (!File.Exists(path))
        {
            return empty;
        }
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize(stream, type) ?? empty;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not valid JSON ({e.Message}); move it aside to start without it");
        }
    }

    public static void Write<T>(string path, T value, JsonTypeInfo<T> type)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(stream, value, type);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
    }
}

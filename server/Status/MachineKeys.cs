using System.Security.Cryptography;
using System.Text;
using EzioPxe.Contracts.Machines;
using EzioPxe.Server.Configuration;

namespace EzioPxe.Server.Status;

/// <summary>
/// Per-machine report keys: HMAC-SHA256 of the MAC and the job under a server key kept in
/// DataDirectory/report-key (made once, mode 0600), so keys survive restarts and a machine that
/// booted before a restart still reports. A key names one machine in one room: it proves the
/// reporter was handed that machine's job or boot menu, and the room comes with it.
/// </summary>
public sealed class MachineKeys
{
    public const string FileName = "report-key";
    private const int ServerKeyBytes = 32;

    /// <summary>128 bits of the HMAC, as 32 hex digits: short enough for a kernel command line.</summary>
    private const int KeyBytes = 16;

    private readonly byte[] _serverKey;

    private MachineKeys(byte[] serverKey) => _serverKey = serverKey;

    /// <summary>Reads DataDirectory/report-key, or makes it when missing; throws <see cref="ConfigurationException"/> when it cannot.</summary>
    public static MachineKeys Load(ServerSettings settings) => Load(Path.Combine(settings.Server.DataDirectory, FileName));

    public static MachineKeys Load(string path)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            if (!File.Exists(path))
            {
                var fresh = RandomNumberGenerator.GetBytes(ServerKeyBytes);
                var temporary = path + ".new." + Environment.ProcessId;
                using (var stream = new FileStream(temporary, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
                }))
                {
                    stream.Write(fresh);
                    stream.Flush(flushToDisk: true);
                }
                try
                {
                    // No overwrite: when two processes race, both end up with the one that won.
                    File.Move(temporary, path, overwrite: false);
                }
                catch (IOException) when (File.Exists(path))
                {
                    File.Delete(temporary);
                }
            }
            var key = File.ReadAllBytes(path);
            if (key.Length != ServerKeyBytes)
            {
                throw new ConfigurationException([$"{path}: {key.Length} bytes, a report key file holds {ServerKeyBytes} (delete it to make a new one; machines booted before must then boot again)"]);
            }
            return new MachineKeys(key);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException([$"Server:DataDirectory: cannot read or make the report key {path}: {e.Message}"]);
        }
    }

    /// <summary>The key of <paramref name="mac"/> running <paramref name="job"/> (job names compare case-insensitively).</summary>
    public string For(MacAddress mac, string job)
    {
        var message = Encoding.UTF8.GetBytes($"eziopxe report key\n{mac}\n{job.ToLowerInvariant()}");
        var hash = HMACSHA256.HashData(_serverKey, message);
        return Convert.ToHexStringLower(hash.AsSpan(0, KeyBytes));
    }

    /// <summary>Whether <paramref name="key"/> is that machine's key for that job, compared in constant time.</summary>
    public bool Verify(MacAddress mac, string job, string? key)
    {
        if (key == null || key.Length != 2 * KeyBytes)
        {
            return false;
        }
        var expected = Encoding.ASCII.GetBytes(For(mac, job));
        var given = Encoding.ASCII.GetBytes(key.ToLowerInvariant());
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }
}

namespace EzioPxe.Client.Disk;

/// <summary>One line of /proc/self/mountinfo that matters here: which device is mounted where.</summary>
public sealed record MountEntry(DeviceNumber Device, string MountPoint, string FileSystemType, string Source);

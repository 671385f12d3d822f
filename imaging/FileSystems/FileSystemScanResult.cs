namespace EzioPxe.Imaging.FileSystems;

/// <summary>
/// What <see cref="FileSystemDetector"/> found in a region: <see cref="Usage"/> when the
/// filesystem was read; <see cref="Damage"/> (the reason) when its signature was there but its
/// structures did not add up; neither when no known signature was found (<see cref="Kind"/> Unknown).
/// </summary>
public sealed record FileSystemScanResult(FileSystemKind Kind, FileSystemUsage? Usage, string? Damage);

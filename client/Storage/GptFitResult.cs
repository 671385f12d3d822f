namespace EzioPxe.Client.Storage;

/// <summary>
/// What <see cref="DiskPieceStorage.WriteGptAsync"/> wrote: <see cref="GrowthBytes"/> is how much
/// larger than the golden the target is (0: same size, headers as in the golden; more: the backup
/// GPT moved to the target's end); <see cref="UnpartitionedBytes"/> is the usable space after the
/// last partition, which the user may partition or grow into.
/// </summary>
public sealed record GptFitResult(long GrowthBytes, long UnpartitionedBytes);

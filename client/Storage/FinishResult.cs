namespace EzioPxe.Client.Storage;

/// <summary>What <see cref="DiskPieceStorage.FinishAsync"/> did after the final flush.</summary>
/// <param name="PartitionTableReread">The kernel re-read the partition table (BLKRRPART).</param>
/// <param name="Note">Why it was not re-read (a partition or file target, or the kernel refused); null when it was.</param>
public sealed record FinishResult(bool PartitionTableReread, string? Note);

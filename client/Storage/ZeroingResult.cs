namespace EzioPxe.Client.Storage;

/// <summary>What <see cref="DiskPieceStorage.ZeroRequiredAsync"/> did: bytes and ranges made zero, and how (BLKZEROOUT, punched holes, zero writes).</summary>
public sealed record ZeroingResult(long Bytes, int Ranges, string Method);

namespace EzioPxe.Imaging.Partitions;

/// <summary>
/// One partition as the table describes it. <see cref="Index"/> is the number Linux gives it
/// (sda1..4 primary, sda5.. logical for MBR; entry number for GPT). <see cref="Type"/> is the MBR
/// type byte as "0x83" or the GPT type GUID in lower case.
/// </summary>
public sealed record PartitionEntry(int Index, long Start, long Length, string Type, string Name)
{
    public long End => Start + Length;
}

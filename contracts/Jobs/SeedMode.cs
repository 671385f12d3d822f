namespace EzioPxe.Contracts.Jobs;

public enum SeedMode
{
    UntilRoomDone,
    None,
    ForDuration,
}

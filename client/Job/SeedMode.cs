namespace EzioPxe.Client.Job;

public enum SeedMode
{
    UntilRoomDone,
    None,
    ForDuration,
}

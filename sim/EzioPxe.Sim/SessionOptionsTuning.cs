using EzioPxe.Engine.Swarm;

namespace EzioPxe.Sim;

/// <summary>The room's overrides of the engine's session defaults, to measure a lever before (or instead of) changing the default.</summary>
internal static class SessionOptionsTuning
{
    public static SessionOptions Tuned(this SessionOptions options, SimSettings settings)
    {
        if (settings.MaxUnchoked is int unchoked)
        {
            options = options with { MaxUnchoked = unchoked };
        }
        if (settings.MinRequestQueue is int queue)
        {
            options = options with { MinRequestQueue = queue };
        }
        if (settings.MaxConnections is int dial)
        {
            options = options with { MaxConnections = dial, IncomingSlack = settings.IncomingSlack ?? options.IncomingSlack };
        }
        if (!settings.RoomForNewcomers)
        {
            options = options with { MakeRoomForNewcomers = false };
        }
        if (settings.UploadTurnPieces is int turn)
        {
            options = options with { UploadTurnPieces = turn };
        }
        return options;
    }
}

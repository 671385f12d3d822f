namespace EzioPxe.Engine.Tracker;

/// <summary>The "event" parameter of an announce (BEP 3).</summary>
public enum TrackerEvent
{
    None,
    Started,
    Completed,
    Stopped,
}

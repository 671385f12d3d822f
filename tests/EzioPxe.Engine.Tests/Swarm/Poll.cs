namespace EzioPxe.Engine.Tests.Swarm;

/// <summary>Waiting for a condition with a deadline, instead of a fixed sleep.</summary>
internal static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan timeout, Func<string> explain)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not within {timeout}: {explain()}");
            }
            await Task.Delay(50);
        }
    }
}

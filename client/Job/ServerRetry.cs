namespace EzioPxe.Client.Job;

/// <summary>
/// Retries a request to the server while it is unreachable or answers 5xx, with backoff, for a
/// bounded time (<c>ezio.serverwait</c>). A room boots at once: a server restarting at that moment
/// must not leave every machine at a failure screen. Answers that will not change by waiting
/// (404, a bad job, a bad torrent) are not retried.
/// </summary>
public sealed class ServerRetry(TimeSpan wait, TextWriter console, TimeProvider? time = null)
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan LongestDelay = TimeSpan.FromSeconds(15);

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<T> RunAsync<T>(string what, Func<CancellationToken, Task<T>> attempt, CancellationToken cancellationToken)
    {
        var giveUpAt = _time.GetUtcNow() + wait;
        var delay = FirstDelay;
        var told = false;
        while (true)
        {
            try
            {
                var result = await attempt(cancellationToken);
                if (told)
                {
                    console.WriteLine($"{what}: the server answered");
                }
                return result;
            }
            catch (Exception e) when (IsTransient(e, cancellationToken))
            {
                var left = giveUpAt - _time.GetUtcNow();
                if (left <= TimeSpan.Zero)
                {
                    throw;
                }
                if (!told)
                {
                    console.WriteLine($"{what}: {Reason(e)}; retrying for up to {Math.Ceiling(left.TotalSeconds)} s (ezio.serverwait)");
                    told = true;
                }
                var pause = delay < left ? delay : left;
                await Task.Delay(pause, _time, cancellationToken);
                delay = delay * 2 < LongestDelay ? delay * 2 : LongestDelay;
            }
        }
    }

    private static bool IsTransient(Exception e, CancellationToken cancellationToken) => e switch
    {
        HttpRequestException { StatusCode: null } => true, // refused, reset, no route: down or restarting
        HttpRequestException { StatusCode: { } status } => (int)status >= 500,
        // HttpClient's own timeout, not ours being cancelled.
        OperationCanceledException or TimeoutException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private static string Reason(Exception e) => e is OperationCanceledException ? "the server did not answer in time" : e.Message;
}

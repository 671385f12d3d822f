namespace EzioPxe.Server.Capture;

/// <summary>A capture request the server refuses, with the HTTP status and the reason in words.</summary>
public sealed class CaptureException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}

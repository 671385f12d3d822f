using System.Buffers;
using EzioPxe.Contracts;
using EzioPxe.Contracts.Capture;
using EzioPxe.Imaging;
using EzioPxe.Server.Capture;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace EzioPxe.Server.Http;

/// <summary>
/// The capture upload (<see cref="CaptureProtocol"/>, docs/capture.md): POST /captures/{name}
/// (plan), PUT /captures/{name}/ranges/{offset} (data, SHA-256 in a header),
/// POST /captures/{name}/complete. Errors are plain text with 400, 409, 413, 422 or 503.
/// </summary>
public static class CaptureEndpoints
{
    /// <summary>A plan lists every extent; a scanned disk has thousands of them, so its body may pass Server:MaxRequestBodyBytes.</summary>
    private const long MaxPlanBytes = 64L << 20;

    public static void Map(WebApplication app)
    {
        app.MapPost("/captures/{name}", async (string name, HttpContext context, CaptureStore store) =>
        {
            SetBodyLimit(context, MaxPlanBytes);
            var (plan, refused) = await JsonBody.ReadAsync(context, ContractsJsonContext.Default.CapturePlan, "not a capture plan");
            if (plan == null)
            {
                return refused!;
            }
            return Run(() => Results.Json(store.Begin(name, plan, context.Connection.RemoteIpAddress?.ToString()), ContractsJsonContext.Default.CaptureStatus));
        });

        app.MapPut("/captures/{name}/ranges/{offset:long}", async (string name, long offset, HttpContext context, CaptureStore store) =>
        {
            SetBodyLimit(context, CaptureProtocol.MaxRangeBytes);
            if (context.Request.ContentLength > CaptureProtocol.MaxRangeBytes)
            {
                // Answered before the body is read: a client that sent "Expect: 100-continue" never sends it.
                return Results.Text($"a range is at most {CaptureProtocol.MaxRangeBytes} bytes\n", statusCode: 413);
            }
            if (context.Request.Headers[CaptureProtocol.Sha256Header].ToString() is not { Length: 64 } sha256)
            {
                return Results.Text($"{CaptureProtocol.Sha256Header}: the body's SHA-256 in hex is required\n", statusCode: 400);
            }
            CaptureSession session;
            try
            {
                session = store.Session(name);
            }
            catch (CaptureException e)
            {
                return Results.Text(e.Message + "\n", statusCode: e.StatusCode);
            }
            var buffer = ArrayPool<byte>.Shared.Rent(CaptureProtocol.MaxRangeBytes);
            try
            {
                var length = 0;
                try
                {
                    int read;
                    while ((read = await context.Request.Body.ReadAsync(buffer.AsMemory(length, CaptureProtocol.MaxRangeBytes - length), context.RequestAborted)) > 0)
                    {
                        length += read;
                    }
                }
                catch (BadHttpRequestException e)
                {
                    return Results.Text(e.Message + "\n", statusCode: e.StatusCode);
                }
                await session.AcceptAsync(offset, buffer.AsMemory(0, length), sha256, context.RequestAborted);
                return Results.NoContent();
            }
            catch (CaptureException e)
            {
                return Results.Text(e.Message + "\n", statusCode: e.StatusCode);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        });

        app.MapPost("/captures/{name}/complete", async (string name, HttpContext context, CaptureStore store) =>
            await Task.Run(() => Run(() => Results.Json(store.Complete(name, context.RequestAborted), ContractsJsonContext.Default.CaptureStatus))));
    }

    private static IResult Run(Func<IResult> action)
    {
        try
        {
            return action();
        }
        catch (CaptureException e)
        {
            return Results.Text(e.Message + "\n", statusCode: e.StatusCode);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DiskFormatException or InvalidOperationException)
        {
            return Results.Text($"capture failed on the server: {e.Message}\n", statusCode: 500);
        }
    }

    private static void SetBodyLimit(HttpContext context, long bytes)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = bytes;
        }
    }
}

using AiDevOps.Contracts.RemoteWrite;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiDevOps.Contracts;

/// <summary>A remote_write request body, or the problem that answers it.</summary>
public sealed record RemoteWriteBody(IReadOnlyList<SeriesSamples> Series, ProblemHttpResult? Problem);

/// <summary>Taking sample bodies over HTTP, the same in the Agent's receiver and the Brain's ingest.</summary>
public static class IngestHttp
{
    /// <summary>A remote_write body may grow this much when decompressed; snappy rarely reaches 5×.</summary>
    private const int MaxDecompressionRatio = 16;

    /// <summary>
    /// Checks the content type (415) and the declared size (413), and caps what may be read at the limit, so an
    /// undeclared (chunked) body is stopped while it is read. Null when the body may be read.
    /// <paramref name="limitOption"/> names the setting a too-large sender should know.
    /// </summary>
    public static ProblemHttpResult? Admit(HttpContext context, bool isExpectedType, string expectedType, long maxBodyBytes, string limitOption)
    {
        if (!isExpectedType)
            return TypedResults.Problem($"The body must be {expectedType}.", statusCode: StatusCodes.Status415UnsupportedMediaType);
        if (context.Request.ContentLength > maxBodyBytes)
            return TooLarge(maxBodyBytes, limitOption);
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
            bodySize.MaxRequestBodySize = maxBodyBytes;
        return null;
    }

    public static ProblemHttpResult TooLarge(long maxBodyBytes, string limitOption) =>
        TypedResults.Problem($"The body exceeds {maxBodyBytes} bytes ({limitOption}). Send smaller batches.",
            statusCode: StatusCodes.Status413PayloadTooLarge);

    /// <summary>Admits and reads a remote_write body, then decodes it (400 when it is not snappy-compressed protobuf).</summary>
    public static async Task<RemoteWriteBody> ReadRemoteWriteAsync(HttpContext context, long maxBodyBytes, string limitOption, CancellationToken ct)
    {
        var isProtobuf = context.Request.ContentType?.StartsWith(RemoteWriteCodec.ContentType, StringComparison.OrdinalIgnoreCase) == true;
        if (Admit(context, isProtobuf, $"{RemoteWriteCodec.ContentType} (snappy-compressed)", maxBodyBytes, limitOption) is { } refused)
            return new RemoteWriteBody([], refused);

        byte[] body;
        int length;
        try
        {
            (body, length) = await BodyBuffers.ReadToEndAsync(context.Request.Body, context.Request.ContentLength, ct);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new RemoteWriteBody([], TooLarge(maxBodyBytes, limitOption));
        }

        // The decoded series hold strings, not the body, so it goes back as soon as it is decoded.
        try
        {
            return new RemoteWriteBody(RemoteWriteCodec.Decode(body.AsSpan(0, length), (int)Math.Min(int.MaxValue, maxBodyBytes * MaxDecompressionRatio)), null);
        }
        catch (InvalidDataException e) when (e.InnerException is RemoteWriteFormatException format)
        {
            return new RemoteWriteBody([], TypedResults.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest,
                title: "The remote_write body breaks the protocol; nothing was taken.",
                extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [format.Field] = [e.Message] } }));
        }
        catch (InvalidDataException e)
        {
            return new RemoteWriteBody([], TypedResults.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest));
        }
        finally
        {
            BodyBuffers.Pool.Return(body);
        }
    }
}

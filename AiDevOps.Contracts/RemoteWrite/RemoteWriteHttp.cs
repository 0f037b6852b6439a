using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace AiDevOps.Contracts.RemoteWrite;

/// <summary>A remote_write request body, or the problem that answers it.</summary>
public sealed record RemoteWriteBody(IReadOnlyList<SeriesSamples> Series, ProblemHttpResult? Problem);

/// <summary>Receiving remote_write over HTTP, the same in the Agent's receiver and the Brain's ingest.</summary>
public static class RemoteWriteHttp
{
    /// <summary>A body may grow this much when decompressed; snappy rarely reaches 5×.</summary>
    private const int MaxDecompressionRatio = 16;

    /// <summary>
    /// Checks the content type (415) and the size (413, before and while reading), then decodes (400 when the body
    /// is not snappy-compressed protobuf). <paramref name="limitOption"/> names the setting a too-large sender should know.
    /// </summary>
    public static async Task<RemoteWriteBody> ReadAsync(HttpContext context, long maxBodyBytes, string limitOption, CancellationToken ct)
    {
        var request = context.Request;
        if (request.ContentType?.StartsWith(RemoteWriteCodec.ContentType, StringComparison.OrdinalIgnoreCase) != true)
            return Refused(StatusCodes.Status415UnsupportedMediaType, $"The body must be {RemoteWriteCodec.ContentType} (snappy-compressed).");
        var tooLarge = Refused(StatusCodes.Status413PayloadTooLarge, $"The body exceeds {maxBodyBytes} bytes ({limitOption}). Send smaller batches.");
        if (request.ContentLength > maxBodyBytes)
            return tooLarge;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
            bodySize.MaxRequestBodySize = maxBodyBytes;

        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await request.Body.CopyToAsync(buffer, ct);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return tooLarge;
        }

        try
        {
            return new RemoteWriteBody(RemoteWriteCodec.Decode(body, (int)Math.Min(int.MaxValue, maxBodyBytes * MaxDecompressionRatio)), null);
        }
        catch (InvalidDataException e)
        {
            return Refused(StatusCodes.Status400BadRequest, e.Message);
        }
    }

    private static RemoteWriteBody Refused(int status, string detail) => new([], TypedResults.Problem(detail, statusCode: status));
}

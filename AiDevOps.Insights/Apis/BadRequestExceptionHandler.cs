using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace AiDevOps.Insights.Apis;

/// <summary>
/// Turns a body that cannot be read (malformed JSON, a wrong type, no body) into a 400 validation problem naming the
/// field, as the endpoint's own validation does.
/// </summary>
public sealed class BadRequestExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
            return false;

        var (field, message) = badRequest.InnerException is JsonException json
            ? (FieldOf(json.Path), "The value could not be read as JSON of the expected type.")
            : ("body", "A JSON body with the anomaly facts is required.");

        httpContext.Response.StatusCode = badRequest.StatusCode;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
            {
                Status = badRequest.StatusCode,
            },
        });
    }

    // System.Text.Json reports "$.recentValues[0].value"; callers know the field without the root marker.
    private static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
}

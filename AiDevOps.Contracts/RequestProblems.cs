using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Net.Http.Headers;

namespace AiDevOps.Contracts;

/// <summary>
/// How the Brain and the Agent answer a request they cannot read: always a 4xx problem naming what is wrong, never
/// a 5xx. Kestrel throws <see cref="BadHttpRequestException"/> when a body breaks HTTP (a chunk size that is not
/// hexadecimal, a body cut short) or a parameter cannot be bound; its status code and message are the answer.
/// </summary>
public static class RequestProblems
{
    public static IServiceCollection AddRequestProblems(this IServiceCollection services)
    {
        services.AddExceptionHandler<BadRequestHandler>();
        // Minimal APIs' JSON binding catches a body that breaks HTTP and answers a bare 400; the problem gets its reason.
        services.Configure<ProblemDetailsOptions>(options => options.CustomizeProblemDetails += context =>
        {
            if (context.ProblemDetails.Detail is null && context.HttpContext.Items[ReadFailureKey] is BadHttpRequestException failure)
            {
                context.ProblemDetails.Title = "The request could not be read.";
                context.ProblemDetails.Detail = failure.Message;
            }
        });
        // Binding failures throw too, so their problem says which parameter and why instead of a bare 400.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return services;
    }

    private const string ReadFailureKey = "AiDevOps.RequestBodyReadFailure";

    /// <summary>
    /// Refuses with 415 a Content-Type whose charset is empty or names no encoding .NET knows, before an endpoint
    /// reads the body (reading JSON in such a charset throws an InvalidOperationException, a 500); and notes why a
    /// chunked body could not be read, for the problem that answers it.
    /// </summary>
    public static IApplicationBuilder UseRequestBodyChecks(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (CharsetProblem(context.Request.ContentType) is not { } problem)
        {
            // Only a chunked body can break HTTP while it is read and still be answered; others go unwrapped.
            if (context.Request.Headers.TransferEncoding.ToString().Contains("chunked", StringComparison.OrdinalIgnoreCase))
                context.Request.Body = new ObservedBody(context.Request.Body, context);
            await next(context);
            return;
        }
        context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status415UnsupportedMediaType, Title = "The body's charset is not supported.", Detail = problem },
        });
    });

    /// <summary>Why the charset of <paramref name="contentType"/> cannot be read, or null when it can (or names none).</summary>
    public static string? CharsetProblem(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType) || !MediaTypeHeaderValue.TryParse(contentType, out var media))
            return null;
        var parameter = media.Parameters.FirstOrDefault(p => p.Name.Equals("charset", StringComparison.OrdinalIgnoreCase));
        if (parameter is null)
            return null;
        var charset = HeaderUtilities.RemoveQuotes(parameter.Value).ToString().Trim();
        if (charset.Length == 0)
            return "The Content-Type has an empty charset; send charset=utf-8 or no charset at all.";
        try
        {
            Encoding.GetEncoding(charset);
            return null;
        }
        catch (ArgumentException)
        {
            var shown = charset.Length <= 64 ? charset : charset[..64] + "…";
            return $"The Content-Type's charset '{shown}' is not a known encoding; send charset=utf-8.";
        }
    }

    private sealed class BadRequestHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not BadHttpRequestException bad || context.Response.HasStarted)
                return false;
            context.Response.StatusCode = bad.StatusCode;
            // The binder's message names the parameter; the JSON reader's inner message says where the body broke.
            var detail = bad.InnerException is { } inner and not BadHttpRequestException ? $"{bad.Message} {inner.Message}" : bad.Message;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                Exception = exception,
                ProblemDetails = { Status = bad.StatusCode, Title = "The request could not be read.", Detail = detail },
            });
        }
    }

    /// <summary>The request body, noting a <see cref="BadHttpRequestException"/> its reader may swallow.</summary>
    private sealed class ObservedBody(Stream inner, HttpContext context) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Observe(() => inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            try
            {
                return await inner.ReadAsync(buffer, cancellationToken);
            }
            catch (BadHttpRequestException e)
            {
                context.Items[ReadFailureKey] = e;
                throw;
            }
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Observe(Func<int> read)
        {
            try
            {
                return read();
            }
            catch (BadHttpRequestException e)
            {
                context.Items[ReadFailureKey] = e;
                throw;
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

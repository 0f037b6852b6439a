namespace AiDevOps.Contracts;

/// <summary>The one check of a configured endpoint: an absolute http or https URL.</summary>
public static class HttpUrl
{
    public static bool IsValid(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}

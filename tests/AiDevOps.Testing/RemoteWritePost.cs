using System.Net.Http.Headers;
using AiDevOps.Contracts;
using AiDevOps.Contracts.RemoteWrite;

namespace AiDevOps.Testing;

/// <summary>One remote_write as Prometheus sends it (snappy-compressed protobuf) with a bearer key: to an Agent's receiver or a Brain.</summary>
public static class RemoteWritePost
{
    /// <summary>True when the receiver took the write (2xx); false when it refused it or could not be reached.</summary>
    public static async Task<bool> SendAsync(HttpClient http, Uri writeUrl, string key, IReadOnlyList<SeriesSamples> series)
    {
        using var content = new ByteArrayContent(RemoteWriteCodec.Encode(series));
        content.Headers.ContentType = new MediaTypeHeaderValue(RemoteWriteCodec.ContentType);
        content.Headers.ContentEncoding.Add(RemoteWriteCodec.ContentEncoding);
        using var request = new HttpRequestMessage(HttpMethod.Post, writeUrl) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        try
        {
            using var response = await http.SendAsync(request);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}

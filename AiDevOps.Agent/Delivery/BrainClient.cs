using System.Net.Http.Headers;
using AiDevOps.Contracts;
using Microsoft.Extensions.Options;

namespace AiDevOps.Agent.Delivery;

/// <summary>Posts samples to the Brain's <c>/ingest</c> with the agent's key.</summary>
public sealed class BrainClient(HttpClient http, IOptions<AgentOptions> options)
{
    public async Task<IngestResponse> SendAsync(IReadOnlyList<SeriesSamples> series, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "ingest")
        {
            Content = JsonContent.Create(new IngestRequest(series)),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.ApiKey);
        using var response = await http.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode)
        {
            var problem = await response.Content.ReadAsStringAsync(ct);
            throw new HttpRequestException(
                $"The Brain answered {(int)response.StatusCode}: {problem[..Math.Min(problem.Length, 500)]}", null, response.StatusCode);
        }
        return await response.Content.ReadFromJsonAsync<IngestResponse>(ct)
            ?? throw new HttpRequestException("The Brain answered with an empty body.");
    }
}

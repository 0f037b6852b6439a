using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using AiDevOps.Web.Account;
using Microsoft.AspNetCore.Components.Authorization;

namespace AiDevOps.Web.Brain;

/// <summary>
/// The Brain's HTTP API, called with the signed-in person's key: every answer is the Brain's, scoped by it to the
/// key's tenant, so the UI cannot show another tenant's data even by mistake.
/// </summary>
public sealed class BrainClient(HttpClient http, AuthenticationStateProvider authentication)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    /// <summary>Who a key is, or null when the Brain does not accept it: what signing in checks.</summary>
    public async Task<Identity?> IdentifyAsync(string key, CancellationToken ct)
    {
        using var response = await SendAsync(key, HttpMethod.Get, "/api/agents/me", null, ct);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            return null;
        await EnsureSuccessAsync(response, ct);
        return await response.Content.ReadFromJsonAsync<Identity>(Json, ct);
    }

    public Task<List<AgentStatus>> AgentsAsync(CancellationToken ct) => GetAsync<List<AgentStatus>>("/api/agents", ct);

    public Task<List<Incident>> IncidentsAsync(string state, int limit, CancellationToken ct) =>
        GetAsync<List<Incident>>($"/api/incidents?state={Uri.EscapeDataString(state)}&limit={limit}", ct);

    /// <summary>One incident with the notifications sent for it; null when the tenant has no such incident.</summary>
    public Task<IncidentDetail?> IncidentAsync(string id, CancellationToken ct) => FindAsync<IncidentDetail>($"/api/incidents/{Uri.EscapeDataString(id)}", ct);

    public Task<Incident> AcknowledgeAsync(string id, string by, CancellationToken ct) =>
        PostAsync<Incident>($"/api/incidents/{Uri.EscapeDataString(id)}/acknowledge", new { by }, ct);

    public Task<SilenceView> SilenceIncidentAsync(string id, string duration, string by, CancellationToken ct) =>
        PostAsync<SilenceView>($"/api/incidents/{Uri.EscapeDataString(id)}/silence", new { duration, by }, ct);

    public Task<Incident> ResolveAsync(string id, string by, CancellationToken ct) =>
        PostAsync<Incident>($"/api/incidents/{Uri.EscapeDataString(id)}/resolve", new { by }, ct);

    public Task<List<AnomalyView>> AnomaliesAsync(string state, int limit, CancellationToken ct) =>
        GetAsync<List<AnomalyView>>($"/api/anomalies?state={Uri.EscapeDataString(state)}&limit={limit}", ct);

    public Task<List<string>> MetricsAsync(CancellationToken ct) => GetAsync<List<string>>("/api/metrics", ct);

    public async Task<List<string>> LabelNamesAsync(CancellationToken ct) =>
        (await GetAsync<PromAnswer<List<string>>>("/api/v1/labels", ct)).Data;

    public async Task<List<string>> LabelValuesAsync(string label, CancellationToken ct) =>
        (await GetAsync<PromAnswer<List<string>>>($"/api/v1/label/{Uri.EscapeDataString(label)}/values", ct)).Data;

    /// <summary>Series of a metric whose labels equal the given values, with their ids.</summary>
    public async Task<List<SeriesRef>> SeriesAsync(string metric, IEnumerable<KeyValuePair<string, string>> labels, CancellationToken ct)
    {
        var query = string.Concat(labels.Select(l => $"&{Uri.EscapeDataString(l.Key)}={Uri.EscapeDataString(l.Value)}"));
        var found = await GetAsync<List<SeriesId>>($"/api/series?metric={Uri.EscapeDataString(metric)}{query}", ct);
        return [.. found.Select(s => new SeriesRef(s.Id, metric, s.Labels))];
    }

    /// <summary>A PromQL range query: every series the selector matches, one point per step.</summary>
    public async Task<List<RangeSeries>> QueryRangeAsync(string query, DateTimeOffset start, DateTimeOffset end, TimeSpan step, CancellationToken ct)
    {
        var url = string.Create(CultureInfo.InvariantCulture,
            $"/api/v1/query_range?query={Uri.EscapeDataString(query)}&start={start.ToUnixTimeSeconds()}&end={end.ToUnixTimeSeconds()}&step={Math.Max(1, (long)step.TotalSeconds)}s");
        using var response = await SendAsync(HttpMethod.Get, url, null, ct);
        await EnsureSuccessAsync(response, ct);
        return RangeMatrix.Read(await response.Content.ReadAsByteArrayAsync(ct));
    }

    /// <summary>Where a series is heading one horizon ahead; null when the Brain has no forecast for it (yet).</summary>
    public async Task<ForecastView?> ForecastAsync(string seriesId, string horizon, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/api/series/{Uri.EscapeDataString(seriesId)}/forecast?horizon={Uri.EscapeDataString(horizon)}", null, ct);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Conflict)
            return null;
        await EnsureSuccessAsync(response, ct);
        return await response.Content.ReadFromJsonAsync<ForecastView>(Json, ct);
    }

    public Task<List<Receiver>> ReceiversAsync(CancellationToken ct) => GetAsync<List<Receiver>>("/api/alert-config/receivers", ct);

    public Task<Receiver> AddReceiverAsync(string channel, string address, string? secret, CancellationToken ct) =>
        PostAsync<Receiver>("/api/alert-config/receivers", new { channel, address, secret }, ct);

    public Task DeleteReceiverAsync(string id, CancellationToken ct) => DeleteAsync($"/api/alert-config/receivers/{Uri.EscapeDataString(id)}", ct);

    public Task<List<AlertRoute>> RoutesAsync(CancellationToken ct) => GetAsync<List<AlertRoute>>("/api/alert-config/routes", ct);

    public Task<AlertRoute> AddRouteAsync(string selector, IReadOnlyList<string> receivers, bool @continue, CancellationToken ct) =>
        PostAsync<AlertRoute>("/api/alert-config/routes", new { selector, receivers, @continue }, ct);

    public Task DeleteRouteAsync(string id, CancellationToken ct) => DeleteAsync($"/api/alert-config/routes/{Uri.EscapeDataString(id)}", ct);

    public Task<List<SilenceView>> SilencesAsync(string state, CancellationToken ct) =>
        GetAsync<List<SilenceView>>($"/api/silences?state={Uri.EscapeDataString(state)}", ct);

    /// <summary>A silence from now for a duration, or a maintenance window (<paramref name="startsAt"/> later).</summary>
    public Task<SilenceView> AddSilenceAsync(string matchers, DateTimeOffset? startsAt, DateTimeOffset? endsAt, string? duration, string createdBy,
        string comment, CancellationToken ct) =>
        PostAsync<SilenceView>("/api/silences", new { matchers, startsAt, endsAt, duration, createdBy, comment }, ct);

    public Task ExpireSilenceAsync(string id, CancellationToken ct) => DeleteAsync($"/api/silences/{Uri.EscapeDataString(id)}", ct);

    /// <summary>The channel's own template; null while the built-in message is used.</summary>
    public Task<TemplateView?> TemplateAsync(string channel, CancellationToken ct) =>
        FindAsync<TemplateView>($"/api/alert-config/templates/{Uri.EscapeDataString(channel)}", ct);

    public Task<TemplateView> SaveTemplateAsync(string channel, string? template, string? subject, CancellationToken ct) =>
        SendJsonAsync<TemplateView>(HttpMethod.Put, $"/api/alert-config/templates/{Uri.EscapeDataString(channel)}", new { template, subject }, ct);

    public Task DeleteTemplateAsync(string channel, CancellationToken ct) => DeleteAsync($"/api/alert-config/templates/{Uri.EscapeDataString(channel)}", ct);

    public Task<PreviewView> PreviewTemplateAsync(string channel, string? template, string? subject, CancellationToken ct) =>
        PostAsync<PreviewView>($"/api/alert-config/templates/{Uri.EscapeDataString(channel)}/preview", new { template, subject }, ct);

    private async Task<T> GetAsync<T>(string path, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, ct);
        await EnsureSuccessAsync(response, ct);
        return (await response.Content.ReadFromJsonAsync<T>(Json, ct))!;
    }

    private async Task<T?> FindAsync<T>(string path, CancellationToken ct) where T : class
    {
        using var response = await SendAsync(HttpMethod.Get, path, null, ct);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return null;
        await EnsureSuccessAsync(response, ct);
        return await response.Content.ReadFromJsonAsync<T>(Json, ct);
    }

    private Task<T> PostAsync<T>(string path, object body, CancellationToken ct) => SendJsonAsync<T>(HttpMethod.Post, path, body, ct);

    private async Task<T> SendJsonAsync<T>(HttpMethod method, string path, object body, CancellationToken ct)
    {
        using var response = await SendAsync(method, path, JsonContent.Create(body, options: Json), ct);
        await EnsureSuccessAsync(response, ct);
        return (await response.Content.ReadFromJsonAsync<T>(Json, ct))!;
    }

    private async Task DeleteAsync(string path, CancellationToken ct)
    {
        using var response = await SendAsync(HttpMethod.Delete, path, null, ct);
        await EnsureSuccessAsync(response, ct);
    }

    /// <summary>With the signed-in person's key.</summary>
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, HttpContent? content, CancellationToken ct)
    {
        var user = (await authentication.GetAuthenticationStateAsync()).User;
        var key = user.FindFirst(SignIn.KeyClaim)?.Value ?? throw new BrainException(401, "Sign in to see this.", new Dictionary<string, string[]>());
        return await SendAsync(key, method, path, content, ct);
    }

    private async Task<HttpResponseMessage> SendAsync(string key, HttpMethod method, string path, HttpContent? content, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return await http.SendAsync(request, ct);
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.IsSuccessStatusCode)
            return;
        Problem? problem = null;
        if (response.Content.Headers.ContentType?.MediaType is "application/problem+json" or "application/json")
        {
            try
            {
                problem = await response.Content.ReadFromJsonAsync<Problem>(Json, ct);
            }
            catch (JsonException)
            {
                // Not problem details after all: the status code says enough.
            }
        }
        throw new BrainException((int)response.StatusCode,
            problem?.Title ?? problem?.Error ?? $"The Brain answered {(int)response.StatusCode} {response.ReasonPhrase}.",
            problem?.Errors ?? new Dictionary<string, string[]>());
    }

    private sealed record Problem(string? Title, string? Error, Dictionary<string, string[]>? Errors);

    private sealed record SeriesId(string Id, IReadOnlyDictionary<string, string> Labels);

    private sealed record PromAnswer<T>(T Data);

}

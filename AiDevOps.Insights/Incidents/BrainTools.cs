using System.ComponentModel;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AiDevOps.Contracts;
using Microsoft.SemanticKernel;

namespace AiDevOps.Insights.Incidents;

/// <summary>
/// Read-only kernel functions over the Brain's API for one explanation, with the incident's own token (it reads
/// only that tenant and only with GET). Bounded: at most <see cref="MaxCalls"/> calls, capped rows, and each call
/// within what is left of the explanation's time. Every result the model sees is kept, for the grounding check.
/// </summary>
public sealed class BrainTools
{
    public const string PluginName = "brain";
    public const int MaxCalls = 4;
    public const int MaxPoints = 60;
    public const int MaxAnomalies = 20;
    public const int MaxIncidents = 5;

    // The Brain answers newest first; this many are read to find the host's or the title's among the tenant's.
    private const int ReadAnomalies = 200;
    private const int ReadIncidents = 100;
    private const int MaxSeries = 3;

    private readonly HttpClient _http;
    private readonly InsightTools _tools;
    private readonly IncidentFacts _facts;
    private readonly DateTimeOffset _deadline;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly List<string> _results = [];
    private readonly List<(string Function, string Outcome)> _calls = [];
    private int _callCount;

    public BrainTools(HttpClient http, IncidentFacts facts, DateTimeOffset deadline, TimeProvider time)
    {
        _http = http;
        _facts = facts;
        _tools = facts.Tools ?? throw new ArgumentException("The incident has no tools.", nameof(facts));
        _deadline = deadline < facts.Tools.ExpiresAt ? deadline : facts.Tools.ExpiresAt;
        _time = time;
    }

    /// <summary>Tools are offered only when the request carries them, with a usable URL, before they expire.</summary>
    public static bool Usable(IncidentFacts facts, DateTimeOffset now) =>
        facts.Tools is { } tools && tools.ExpiresAt > now && !string.IsNullOrEmpty(tools.Token) && HttpUrl.IsValid(tools.BrainUrl);

    /// <summary>Every text a tool returned to the model, in call order.</summary>
    public IReadOnlyList<string> Results
    {
        get { lock (_gate) return [.. _results]; }
    }

    /// <summary>Each call with how it ended (<c>ok</c>, <c>error</c>, <c>timeout</c>, <c>refused</c>).</summary>
    public IReadOnlyList<(string Function, string Outcome)> Calls
    {
        get { lock (_gate) return [.. _calls]; }
    }

    [KernelFunction("get_series")]
    [Description("Values of series of this incident's tenant over a window that ends now, at most 60 points, as HH:MM:SS=value in UTC.")]
    public Task<string> GetSeriesAsync(
        [Description("A Prometheus selector, e.g. node_load1{instance=\"db-1:9100\"}")] string selector,
        [Description("How many minutes back from now, 5 to 1440")] int minutes = 60,
        CancellationToken cancellationToken = default)
    {
        minutes = Math.Clamp(minutes, 5, 1440);
        var end = _time.GetUtcNow();
        var start = end.AddMinutes(-minutes);
        var step = Math.Max(15, (int)Math.Ceiling(minutes * 60.0 / MaxPoints));
        var query = string.Create(CultureInfo.InvariantCulture,
            $"api/v1/query_range?query={Uri.EscapeDataString(selector ?? "")}&start={start.ToUnixTimeSeconds()}&end={end.ToUnixTimeSeconds()}&step={step}");
        return CallAsync("get_series", query, FormatSeries, cancellationToken);
    }

    [KernelFunction("get_host_anomalies")]
    [Description("Anomalies of this incident's host, open and resolved, newest first, at most 20: metric, kind, opened, resolved, evidence.")]
    public Task<string> GetHostAnomaliesAsync(CancellationToken cancellationToken = default) =>
        CallAsync("get_host_anomalies", $"api/anomalies?state=all&limit={ReadAnomalies}", FormatAnomalies, cancellationToken);

    [KernelFunction("find_similar_incidents")]
    [Description("Resolved incidents like this one (same title or same group labels), newest first, at most 5: when they opened, when they resolved and how long they lasted.")]
    public Task<string> FindSimilarIncidentsAsync(CancellationToken cancellationToken = default) =>
        CallAsync("find_similar_incidents", $"api/incidents?state=resolved&limit={ReadIncidents}", FormatIncidents, cancellationToken);

    private async Task<string> CallAsync(string function, string relative, Func<JsonNode?, string> format, CancellationToken cancellationToken)
    {
        if (Interlocked.Increment(ref _callCount) > MaxCalls)
            return Record(function, "refused", $"No more tool calls are allowed for this explanation (at most {MaxCalls}); answer with the evidence you have.");
        var left = _deadline - _time.GetUtcNow();
        if (left <= TimeSpan.Zero)
            return Record(function, "refused", "The time for tool calls is up; answer with the evidence you have.");

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(left);
        try
        {
            var baseUrl = new Uri(_tools.BrainUrl.EndsWith('/') ? _tools.BrainUrl : _tools.BrainUrl + "/", UriKind.Absolute);
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(baseUrl, relative));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _tools.Token);
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
                return Record(function, "error", $"The monitoring API answered {(int)response.StatusCode}; no data.");
            var body = await response.Content.ReadAsStringAsync(timeout.Token);
            return Record(function, "ok", format(JsonNode.Parse(body)));
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Record(function, "timeout", "The monitoring API did not answer in time; no data.");
        }
        catch (Exception exception) when (exception is HttpRequestException or JsonException or InvalidOperationException)
        {
            return Record(function, "error", "The monitoring API could not be read; no data.");
        }
    }

    private string Record(string function, string outcome, string result)
    {
        lock (_gate)
        {
            _calls.Add((function, outcome));
            _results.Add(result);
        }
        return result;
    }

    private static string FormatSeries(JsonNode? body)
    {
        var result = body?["data"]?["result"]?.AsArray();
        if (result is null || result.Count == 0)
            return "No series matched.";
        var series = result.Take(MaxSeries).ToList();
        var perSeries = Math.Max(1, MaxPoints / series.Count);
        var text = new StringBuilder();
        foreach (var item in series)
        {
            var labels = item?["metric"]?.AsObject() ?? [];
            var name = labels[WellKnownLabels.MetricName]?.GetValue<string>() ?? "";
            var shownLabels = string.Join(", ", labels.Where(l => l.Key != WellKnownLabels.MetricName)
                .OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{l.Value}\""));
            var values = item?["values"]?.AsArray() ?? [];
            var points = values.Skip(Math.Max(0, values.Count - perSeries)).Select(point =>
            {
                var at = DateTimeOffset.FromUnixTimeMilliseconds((long)(point![0]!.GetValue<double>() * 1000));
                var value = double.Parse(point[1]!.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture);
                return $"{at.UtcDateTime.ToString("HH:mm:ss", CultureInfo.InvariantCulture)}={IncidentText.Number(value)}";
            });
            var date = values.Count > 0
                ? DateTimeOffset.FromUnixTimeMilliseconds((long)(values[^1]![0]!.GetValue<double>() * 1000)).UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                : "";
            text.Append($"{name}{{{shownLabels}}} ({date} UTC{(values.Count > perSeries ? $", last {perSeries} of {values.Count} points" : "")}): ")
                .AppendLine(string.Join(", ", points));
        }
        if (result.Count > MaxSeries)
            text.AppendLine($"({result.Count - MaxSeries} more series not shown)");
        return text.ToString().TrimEnd();
    }

    private string FormatAnomalies(JsonNode? body)
    {
        var instance = IncidentText.Instance(_facts);
        var host = instance?.Split(':')[0];
        var rows = (body as JsonArray ?? [])
            .Where(anomaly =>
            {
                var labelInstance = (anomaly?["labels"] as JsonObject)?[WellKnownLabels.Instance]?.GetValue<string>();
                return host is not null && labelInstance is not null
                    && (labelInstance == instance || labelInstance.Split(':')[0] == host);
            })
            .Take(MaxAnomalies)
            .Select(anomaly =>
            {
                var labels = anomaly!["labels"]!.AsObject();
                var metric = labels[WellKnownLabels.MetricName]?.GetValue<string>() ?? Text(anomaly["metric"]) ?? "";
                var shown = string.Join(", ", labels.Where(l => l.Key != WellKnownLabels.MetricName)
                    .OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{l.Value}\""));
                return $"- {metric}{{{shown}}}: kind {Text(anomaly["kind"]) ?? "unknown"}; opened {Text(anomaly["openedAt"]) ?? "unknown"}; "
                    + $"resolved {Text(anomaly["resolvedAt"]) ?? "not yet"}"
                    + (Text(anomaly["evidence"]) is { } evidence ? $"; evidence: {evidence}" : "");
            })
            .ToList();
        return rows.Count == 0 ? $"No anomalies of {instance ?? "this host"} found." : string.Join('\n', rows);
    }

    private string FormatIncidents(JsonNode? body)
    {
        var group = _facts.Group ?? new Dictionary<string, string>();
        var rows = (body as JsonArray ?? [])
            .Where(incident => incident is not null && Text(incident["id"]) != _facts.IncidentId)
            .Select(incident => (Incident: incident!, Score: Similarity(incident!, group)))
            .Where(candidate => candidate.Score > 0)
            .OrderByDescending(candidate => candidate.Score)
            .Take(MaxIncidents)
            .Select(candidate =>
            {
                var incident = candidate.Incident;
                var opened = Time(incident["openedAt"]);
                var resolved = Time(incident["resolvedAt"]);
                var lasted = opened is { } o && resolved is { } r ? $"; lasted {IncidentText.Duration(r - o)}" : "";
                var members = incident["members"] is JsonArray array ? $"; {array.Count} members" : "";
                return $"- {Text(incident["title"]) ?? "untitled"}: group {Group(incident["group"])}; opened {Text(incident["openedAt"]) ?? "unknown"}; "
                    + $"resolved {Text(incident["resolvedAt"]) ?? "unknown"}{lasted}{members}";
            })
            .ToList();
        return rows.Count == 0 ? "No similar resolved incidents found." : string.Join('\n', rows);
    }

    private int Similarity(JsonNode incident, IReadOnlyDictionary<string, string> group)
    {
        var score = 0;
        if (string.Equals(Text(incident["title"]), _facts.Title, StringComparison.OrdinalIgnoreCase))
            score += 2;
        if (incident["group"] is JsonObject other && group.Count > 0
            && group.All(label => other[label.Key] is JsonValue value && value.ToString() == label.Value))
            score += 2;
        var lead = _facts.Members is { Count: > 0 } members ? members[0].Metric : null;
        if (lead is not null && Text(incident["title"])?.Contains(lead, StringComparison.OrdinalIgnoreCase) == true)
            score += 1;
        return score;
    }

    private static string Group(JsonNode? group) => group is JsonObject labels
        ? "{" + string.Join(", ", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{l.Value}\"")) + "}"
        : Text(group) ?? "{}";

    private static DateTimeOffset? Time(JsonNode? node) =>
        Text(node) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time) ? time : null;

    private static string? Text(JsonNode? node) => node switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) => Summaries.SummaryText.OneLine(text, 300),
        JsonValue value => value.ToJsonString(),
        _ => null,
    };
}

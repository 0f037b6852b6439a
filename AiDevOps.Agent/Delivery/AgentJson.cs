using System.Text.Json;
using System.Text.Json.Serialization;
using AiDevOps.Contracts;

namespace AiDevOps.Agent.Delivery;

/// <summary>
/// Every type the Agent reads or writes as JSON, generated at build time: a trimmed or Native AOT Agent has no
/// reflection metadata to serialize with, and reflection JSON made such an Agent stop at its first delivery and drop
/// every forwarded alert. Web defaults (camelCase), as the Brain's APIs speak. Also in the host's HTTP JSON options,
/// for what the Agent's own answers carry beyond ASP.NET's types (a problem's <c>errors</c> by field).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(IngestResponse))]
[JsonSerializable(typeof(IReadOnlyList<PostableAlert>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Dictionary<string, string[]>))]
[JsonSerializable(typeof(string))]
internal sealed partial class AgentJson : JsonSerializerContext;

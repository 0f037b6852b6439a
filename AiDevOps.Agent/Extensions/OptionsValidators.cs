using AiDevOps.Agent;
using AiDevOps.Agent.Apis;
using AiDevOps.Agent.Collection;
using AiDevOps.Agent.Delivery;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

// Validators generated at build time (attributes and IValidatableObject alike): ValidateDataAnnotations reflects over
// the options at startup, which a trimmed or Native AOT Agent cannot.
[OptionsValidator]
internal sealed partial class AgentOptionsValidator : IValidateOptions<AgentOptions>;

[OptionsValidator]
internal sealed partial class PrometheusSourceOptionsValidator : IValidateOptions<PrometheusSourceOptions>;

[OptionsValidator]
internal sealed partial class ScrapeSourceOptionsValidator : IValidateOptions<ScrapeSourceOptions>;

[OptionsValidator]
internal sealed partial class DeliveryOptionsValidator : IValidateOptions<DeliveryOptions>;

[OptionsValidator]
internal sealed partial class LivenessOptionsValidator : IValidateOptions<LivenessOptions>;

[OptionsValidator]
internal sealed partial class ReceiverOptionsValidator : IValidateOptions<ReceiverOptions>;

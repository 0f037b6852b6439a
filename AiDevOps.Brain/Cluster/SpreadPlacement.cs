using System.Security.Cryptography;
using System.Text;
using Orleans.Placement;
using Orleans.Runtime.Placement;

namespace AiDevOps.Brain.Cluster;

/// <summary>
/// Spreads grains over the Brains by rendezvous hashing: a grain belongs on the Brain whose address hashes highest
/// with its key. Every Brain computes the same owner from the same membership, a Brain that joins takes about
/// 1/N of the grains and one that leaves gives up only its own. Orleans's default places a grain where it is first
/// called, which piles every agent's detection onto the Brain that started first.
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking]
public sealed class SpreadPlacement : PlacementStrategy
{
    public static readonly SpreadPlacement Instance = new();

    /// <summary>The owner of <paramref name="key"/> among <paramref name="silos"/>.</summary>
    public static SiloAddress Owner(string key, IEnumerable<SiloAddress> silos) =>
        silos.MaxBy(silo => Weight(key, silo)) ?? throw new InvalidOperationException("No Brain is active to place the grain on.");

    private static ulong Weight(string key, SiloAddress silo) =>
        BitConverter.ToUInt64(SHA256.HashData(Encoding.UTF8.GetBytes(key + "\n" + silo.ToParsableString())));
}

/// <summary>Places the grain on its <see cref="SpreadPlacement"/> owner.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class SpreadPlacementAttribute() : PlacementAttribute(SpreadPlacement.Instance);

public sealed class SpreadPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context) =>
        Task.FromResult(SpreadPlacement.Owner(target.GrainIdentity.ToString(), context.GetCompatibleSilos(target)));
}

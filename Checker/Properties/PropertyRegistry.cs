using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary>The registry of properties: one line per property, in the order reports show them.</summary>
public static class PropertyRegistry
{
    /// <summary>Every invariant and witness, in the order reports show them.</summary>
    public static IReadOnlyList<Property> All { get; } =
    [
        new OnePerSet(),
        new NoSharedFunction(),
        new NoSharedState(),
        new StateMonotonic(),
        new BlockDisableKept(),
        new CustomerUntouched(),
        new HotfixesAbsorbed(),
        new NoSilentRevert(),
        new NoLostFix(),
        new RefusalIsAtomic(),
        new Recoverable(),
        new DowngradeInstallable(),
        new UpgradeInstallable(),
        new HotfixCoexists(),
        new CustomerCoexists(),
        new DowngradeSucceeds(),
    ];

    /// <summary>The properties that apply to a reading (those whose <see cref="Property.NotApplicable"/> says nothing), in the order reports show them.</summary>
    public static IEnumerable<Property> ApplicableTo(Reading reading) => All.Where(p => p.NotApplicable(reading) is null);

    /// <summary>The property with this id, or null.</summary>
    public static Property? Find(string id) => All.FirstOrDefault(i => i.Id == id);
}

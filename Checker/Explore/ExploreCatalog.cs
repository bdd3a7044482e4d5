using Klp.Check.Conformance;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Scenarios;

namespace Klp.Check.Explore;

/// <summary>A catalog the explorer offers: the patches of a scenario file, or a release plan that each reading encodes its own way.</summary>
/// <remarks>
/// The explorer never opens a path the page names: it offers the catalogs built at start-up
/// (the file given on the command line, the scenarios of <c>scenarios/thread/</c> embedded in
/// the tool), each under a fixed <see cref="Id"/>.
/// </remarks>
public sealed class ExploreCatalog
{
    private readonly Catalog? shared;
    private readonly ReleasePlan? plan;
    // A plan's catalog depends on the reading only through its encoding.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<PlanEncoding, Catalog> encoded = [];

    private ExploreCatalog(string id, string title, string file, Scenario? scenario, ReleasePlan? plan)
    {
        Id = id;
        Title = title;
        File = file;
        Scenario = scenario;
        this.plan = plan;
        shared = scenario?.Catalog;
    }

    /// <summary>The stable id the page names the catalog by: <c>thread/NAME</c> for a shipped scenario, the file's name for the one given.</summary>
    public string Id { get; }

    /// <summary>The scenario's title, or the plan file's name.</summary>
    public string Title { get; }

    /// <summary>The file the catalog came from, as given (shown, never opened again).</summary>
    public string File { get; }

    /// <summary>The scenario file, or null for a release plan.</summary>
    public Scenario? Scenario { get; }

    /// <summary>The release plan, or null for a scenario's catalog.</summary>
    public ReleasePlan? Plan => plan;

    /// <summary>True when every reading sees the same patches (a scenario's catalog); a plan's catalog depends on the reading's encoding.</summary>
    public bool Shared => shared is not null;

    /// <summary>The mode the file asks for, or null.</summary>
    public Granularity? FileMode => Scenario?.Mode;

    /// <summary>The catalog a reading sees: the scenario's, or the plan as the reading's encoder builds it.</summary>
    public Catalog CatalogFor(Reading reading) => shared ?? encoded.GetOrAdd(reading.Encoding, _ => plan!.Encode(reading));

    /// <summary>Any of the catalogs: they name the same patches in the same order.</summary>
    public Catalog Any => CatalogFor(Readings.Positional);

    /// <summary>The readings as columns: with a scenario's options applied as <c>replay</c> applies them, and the mode.</summary>
    public IReadOnlyList<Reading> Columns(IReadOnlyList<Reading> requested, Granularity mode) =>
        Scenario is { } s
            ? Replayer.Columns(s, requested, mode)
            : [.. requested.Select(r => r.WithGranularity(mode))];

    /// <summary>The input the checker verifies properties on: this one catalog, or this one plan.</summary>
    public InputSource Source() => plan is not null ? InputSource.Plan(plan, File) : InputSource.Single(shared!, File);

    /// <summary>The operations of the scenario file, in order; empty for a plan.</summary>
    public IReadOnlyList<Operation> Timeline =>
        Scenario is { } s ? [.. s.Steps.Where(st => st.Operation is not null).Select(st => st.Operation!.Value)] : [];

    /// <summary>A scenario file's catalog under an id.</summary>
    public static ExploreCatalog FromScenario(string id, Scenario scenario) => new(id, scenario.Title, scenario.Path, scenario, null);

    /// <summary>A release plan under an id.</summary>
    public static ExploreCatalog FromPlan(string id, ReleasePlan plan, string file) =>
        new(id, $"release plan {Path.GetFileName(file)}", file, null, plan);

    /// <summary>The resource names of the scenarios of <c>scenarios/thread/</c> embedded in the tool.</summary>
    private const string ShippedPrefix = "scenarios/thread/";

    /// <summary>The scenarios of <c>scenarios/thread/</c> as the tool was built with them, ids <c>thread/NAME</c>, in name order.</summary>
    /// <exception cref="InputException">An embedded scenario does not parse (a build from a broken tree).</exception>
    public static IReadOnlyList<ExploreCatalog> Shipped()
    {
        var assembly = typeof(ExploreCatalog).Assembly;
        var list = new List<ExploreCatalog>();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ShippedPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            var scenario = ScenarioParser.Parse(reader.ReadToEnd(), name);
            list.Add(FromScenario("thread/" + Path.GetFileNameWithoutExtension(name), scenario));
        }
        return list;
    }
}

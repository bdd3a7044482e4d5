using System.CommandLine;
using FsCheck.Fluent;
using Klp.Check.Engine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Scenarios;

namespace Klp.Check.Commands;

/// <summary>The options that choose what <c>check</c>, <c>compare</c>, <c>diff</c> and <c>design</c> explore.</summary>
public sealed class InputOptions
{
    /// <summary>The default plan bounds of <c>compare</c>.</summary>
    public static readonly PlanBounds DefaultPlans = new();

    /// <summary>The default raw bounds of <c>--raw</c>.</summary>
    public static readonly RawBounds DefaultRaw = new();

    private readonly Option<string?> catalog = new("--catalog") { HelpName = "FILE", Description = "explore the catalog of a scenario file (its patches and add_sets values)" };
    private readonly Option<string?> plan = new("--plan") { HelpName = "FILE", Description = "explore one release plan file (docs/bounds.md), encoded by each reading" };
    private readonly Option<string?> bounds = new("--bounds", "-b") { HelpName = "SPEC", Description = $"bounds on release plans (default {DefaultPlans}) or, with --raw, on raw catalogs (default {DefaultRaw})" };
    private readonly Option<bool> raw = new("--raw") { Description = "enumerate raw catalogs (attributes as given) instead of release plans" };
    private readonly Option<bool> noReduce = new("--no-symmetry") { Description = "with --raw, do not reduce catalogs by symmetry over set numbers and function names" };
    private readonly Option<string[]> invariant = new("--invariant", "-i") { HelpName = "ID", Description = "a property id to check; repeat for several (default: all)", Arity = ArgumentArity.ZeroOrMore };
    private readonly Option<int?> maxStates = Cli.NumberOption("--max-states", 1, int.MaxValue, $"cap on distinct states per catalog (default {ExploreLimits.DefaultMaxStates:N0})");
    private readonly Option<int?> maxDepth = Cli.NumberOption("--max-depth", 1, int.MaxValue, "cap on the depth explored (default: none)");
    private readonly Option<bool> fingerprints = new("--fingerprints") { Description = "de-duplicate states by 64-bit fingerprint (prints the collision probability)" };
    private readonly Option<int?> threads = Cli.NumberOption("--threads", 1, 1024, "worker threads (default: all cores): inputs side by side, or one input's search on two and its checks on all; results do not depend on it");

    /// <summary>True when the command reduces release plans by symmetry too (<c>sweep</c>): <c>--no-symmetry</c> then applies to them.</summary>
    public bool PlanSymmetry { get; init; }

    /// <summary>Adds the options to a command; without <paramref name="singleInputs"/>, <c>--catalog</c> and <c>--plan</c> are left out of its help (the command refuses them itself).</summary>
    public void AddTo(Command command, bool singleInputs = true)
    {
        catalog.Hidden = plan.Hidden = !singleInputs;
        if (PlanSymmetry)
            noReduce.Description = "with --raw, do not reduce catalogs by symmetry over set numbers and function names; with release plans, explore every plan, not one per class of plans that differ only in where the customer releases stand";
        foreach (var o in new Option[] { catalog, plan, bounds, raw, noReduce, invariant, maxStates, maxDepth, fingerprints, threads })
            command.Options.Add(o);
    }

    /// <summary>True when <c>--no-symmetry</c> was given.</summary>
    public bool NoSymmetry(ParseResult parse) => parse.GetValue(noReduce);

    /// <summary>Thread count asked for.</summary>
    public int Threads(ParseResult parse) => parse.GetValue(threads) ?? 0;

    /// <summary>The input files named (<c>--catalog</c>, <c>--plan</c>).</summary>
    public IEnumerable<string> Files(ParseResult parse) => new[] { parse.GetValue(catalog), parse.GetValue(plan) }.OfType<string>();

    /// <summary>Exploration caps asked for.</summary>
    public ExploreLimits Limits(ParseResult parse) => new(parse.GetValue(maxStates) ?? ExploreLimits.DefaultMaxStates, parse.GetValue(maxDepth) ?? int.MaxValue, parse.GetValue(fingerprints));

    /// <summary>The properties asked for, or null with a message.</summary>
    public IReadOnlyList<Property>? Properties(ParseResult parse, TextWriter stderr)
    {
        var ids = parse.GetValue(invariant) ?? [];
        if (ids.Length == 0) return PropertyRegistry.All;
        if (ids.Any(i => i.Split(',').Any(id => id.Trim().Length == 0)))
        {
            stderr.WriteLine($"klp-check: --invariant: empty property id (known: {string.Join(", ", PropertyRegistry.All.Select(i => i.Id))})");
            return null;
        }
        var list = new List<Property>();
        foreach (var id in ids.SelectMany(i => i.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var inv = PropertyRegistry.Find(id);
            if (inv is null)
            {
                stderr.WriteLine($"klp-check: --invariant: unknown property '{id}' (known: {string.Join(", ", PropertyRegistry.All.Select(i => i.Id))})");
                return null;
            }
            if (!list.Contains(inv)) list.Add(inv);
        }
        return [.. PropertyRegistry.All.Where(list.Contains)];
    }

    /// <summary>The input source asked for, or null with a message (bad input: exit 2).</summary>
    public InputSource? Source(ParseResult parse, TextWriter stderr)
    {
        var catalogFile = parse.GetValue(catalog);
        var planFile = parse.GetValue(plan);
        var boundsText = parse.GetValue(bounds);
        var isRaw = parse.GetValue(raw);
        if ((catalogFile is not null ? 1 : 0) + (planFile is not null ? 1 : 0) + (boundsText is not null || isRaw ? 1 : 0) > 1)
        {
            stderr.WriteLine("klp-check: give at most one of --catalog, --plan, --bounds/--raw");
            return null;
        }
        try
        {
            if (catalogFile is not null) return InputSource.Single(ScenarioParser.ParseFile(catalogFile).Catalog, catalogFile);
            if (planFile is not null) return InputSource.Plan(PlanParser.ParseFile(planFile), planFile);
        }
        catch (InputException e)
        {
            foreach (var d in e.Diagnostics) stderr.WriteLine(d);
            return null;
        }
        try
        {
            return Space(parse, stderr)?.Source();
        }
        catch (TooManyCatalogsException e)
        {
            // Bounds found, as their catalogs were enumerated, to hold more than can be kept.
            stderr.WriteLine($"klp-check: --bounds: {e.Message}");
            return null;
        }
    }

    /// <summary>The bounds asked for with <c>--bounds</c>, <c>--raw</c> and <c>--no-symmetry</c> (defaults when not given), or null with a message.</summary>
    public BoundsSpace? Space(ParseResult parse, TextWriter stderr)
    {
        var boundsText = parse.GetValue(bounds);
        var isRaw = parse.GetValue(raw);
        if (!isRaw && !PlanSymmetry && parse.GetValue(noReduce)) stderr.WriteLine("klp-check: warning: --no-symmetry is ignored without --raw");
        string? error = null;
        if (isRaw)
        {
            var rb = boundsText is null ? DefaultRaw : RawBounds.Parse(boundsText, out error);
            if (rb is null) stderr.WriteLine($"klp-check: --bounds: {error}");
            var space = rb is null ? null : BoundsSpace.Of(rb, !parse.GetValue(noReduce));
            if (space?.TooMany() is { } tooMany)
            {
                stderr.WriteLine($"klp-check: --bounds: {tooMany}");
                return null;
            }
            return space;
        }
        var pb = boundsText is null ? DefaultPlans : PlanBounds.Parse(boundsText, out error);
        if (pb is null) stderr.WriteLine($"klp-check: --bounds: {error}");
        return pb is null ? null : BoundsSpace.Of(pb);
    }

    /// <summary>True when the user named one input with <c>--catalog</c> or <c>--plan</c>.</summary>
    public bool SingleInput(ParseResult parse) => parse.GetValue(catalog) is not null || parse.GetValue(plan) is not null;

    /// <summary>The generator of catalogs for random runs: random plans (up to --bounds releases=N, default 8) encoded per reading, or with --raw random raw catalogs; null with a message.</summary>
    public FsCheck.Gen<Catalog>? RandomCatalogs(ParseResult parse, Reading reading, TextWriter stderr)
    {
        if (parse.GetValue(catalog) is not null || parse.GetValue(plan) is not null)
        {
            var single = Source(parse, stderr);
            return single is null ? null : FsCheck.Fluent.Gen.Constant(single.CatalogFor(0, reading));
        }
        var text = parse.GetValue(bounds);
        if (parse.GetValue(raw))
        {
            string? rawError = null;
            var rb = text is null ? DefaultRaw : RawBounds.Parse(text, out rawError);
            if (rb is null) stderr.WriteLine($"klp-check: --bounds: {rawError}");
            return rb?.Random();
        }
        var releases = 8;
        if (text is not null)
        {
            var b = PlanBounds.Parse(text, out var error);
            if (b is null)
            {
                stderr.WriteLine($"klp-check: --bounds: {error}");
                return null;
            }
            releases = b.Releases;
        }
        return Generators.Plans(releases).Select(p => p.Encode(reading));
    }

    /// <summary>Cancels a token on Ctrl-C instead of killing the process, so partial results can be printed.</summary>
    public static CancellationTokenSource CancelOnCtrlC()
    {
        var cts = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        return cts;
    }

    /// <summary>A progress line on stderr when it is a terminal; nothing otherwise.</summary>
    /// <remarks>A progress line is only a courtesy: once writing it fails, no more are written, and the failure is left to the next message.</remarks>
    public static Action<string>? Progress(TextWriter stderr)
    {
        if (!StandardStream.IsTerminalError(stderr)) return null;
        if (stderr is MessageWriter messages) stderr = messages.Inner;
        var last = 0L;
        var failed = false;
        return text =>
        {
            var now = Environment.TickCount64;
            if (failed || now - last < 100) return;
            last = now;
            lock (stderr)
            {
                try
                {
                    stderr.Write($"\r\u001b[K{text}");
                }
                catch (StandardStreamException)
                {
                    failed = true;
                }
            }
        };
    }

    /// <summary>Clears the progress line.</summary>
    public static void EndProgress(TextWriter stderr)
    {
        if (!StandardStream.IsTerminalError(stderr)) return;
        if (stderr is MessageWriter messages) stderr = messages.Inner;
        stderr.Write("\r\u001b[K");
    }
}

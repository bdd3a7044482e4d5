using Klp.Check.Engine;
using Klp.Check.Model;

namespace Klp.Check.Properties;

/// <summary>What one property found on one graph.</summary>
/// <param name="Finding">Its finding.</param>
/// <param name="Exercised">When it found nothing where it applies, whether its case happened (null when not tracked, or not asked).</param>
public readonly record struct GraphFinding(CatalogFinding Finding, bool? Exercised);

/// <summary>Some properties checked on one graph, behind one visitor: each event goes to the checks that subscribe to it, and a load or disable is settled once for all of them.</summary>
/// <remarks>
/// The one way properties are checked: <see cref="Begin"/> on a catalog and reading, the search
/// (an exploration, or <see cref="StateGraph.FromTrace"/> for one trace) told through this
/// visitor, then <see cref="Finish"/> on the graph it built.
/// </remarks>
public sealed class PropertyChecks : ExplorationVisitor
{
    private readonly PropertyCheck[] all;

    /// <summary>Begins checking <paramref name="invariants"/>, each as it is (whether it applies to the reading is the caller's question), on one catalog under one reading.</summary>
    public static PropertyChecks Begin(IEnumerable<Property> invariants, Catalog catalog, Reading reading) =>
        new(invariants.Select(i => i.Begin(catalog, reading)), catalog, reading);

    /// <summary>Checks <paramref name="invariants"/> on the states and transitions a trace visits (its graph, not an exhaustive one).</summary>
    public static GraphFinding[] OnTrace(IEnumerable<Property> invariants, Trace trace, bool exercised = false)
    {
        var checks = Begin(invariants, trace.Catalog, trace.Reading);
        return checks.Finish(StateGraph.FromTrace(trace, checks), exercised);
    }

    /// <summary>The finding of every check, in the order begun, on the graph the search this visitor watched built; with <paramref name="exercised"/>, whether the case of each that found nothing happened.</summary>
    /// <param name="graph">The graph the search built.</param>
    /// <param name="exercised">Whether to ask each check that found nothing whether its case happened.</param>
    /// <param name="threads">Threads to finish the checks on: with more than one, the checks finish in parallel, taken in order as threads come free, over facts computed once for all of them (<see cref="GraphFacts"/>); the findings are the same.</param>
    /// <param name="facts">The graph's facts, when the caller has them; by default new ones.</param>
    public GraphFinding[] Finish(StateGraph graph, bool exercised = false, int threads = 1, GraphFacts? facts = null)
    {
        facts ??= new GraphFacts(graph, CustomerLoads(graph), threads);
        var result = new GraphFinding[all.Length];
        void FinishOne(int k)
        {
            var f = all[k].Finish(facts);
            result[k] = new GraphFinding(f, exercised && f.Applicable && !f.Found ? all[k].Exercised(facts) : null);
        }
        if (threads <= 1 || all.Length < 2)
        {
            for (var k = 0; k < all.Length; k++) FinishOne(k);
            return result;
        }
        // Each thread takes the next check not yet taken: a check that waits for a fact another
        // is computing holds one thread, and the others go on with the rest.
        var next = -1;
        void Work()
        {
            for (var k = Interlocked.Increment(ref next); k < all.Length; k = Interlocked.Increment(ref next)) FinishOne(k);
        }
        var helpers = new Task[Math.Min(threads, all.Length) - 1];
        for (var t = 0; t < helpers.Length; t++) helpers[t] = Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        Work();
        Task.WaitAll(helpers);
        return result;
    }

    private readonly PropertyCheck[] states, transitions, loads, disables, refusals;
    private readonly Catalog catalog;
    private readonly Reading reading;
    private readonly bool twoPhase, unchangedRefusals;

    /// <summary>Groups checks by the events they subscribe to.</summary>
    public PropertyChecks(IEnumerable<PropertyCheck> checks, Catalog catalog, Reading reading)
    {
        all = checks.ToArray();
        PropertyCheck[] With(CheckEvents e) => [.. all.Where(c => (c.Events & e) != 0)];
        states = With(CheckEvents.States);
        transitions = With(CheckEvents.Transitions);
        loads = With(CheckEvents.Loads);
        disables = With(CheckEvents.Disables);
        refusals = With(CheckEvents.Refusals | CheckEvents.ChangingRefusals);
        unchangedRefusals = all.Any(c => (c.Events & CheckEvents.Refusals) != 0);
        this.catalog = catalog;
        this.reading = reading;
        twoPhase = reading.Options.Granularity == Granularity.TwoPhase;
        customers = CatalogMasks.Customers(catalog);
    }

    private readonly ulong customers;
    // Appended in the order the search reports transitions, source state then alphabet index.
    private readonly ReplacingLoads customerLoads = new(0);
    private StateGraph? searched;

    /// <summary>Whether each check's <see cref="PropertyCheck.Screen"/> is tested before a settled step is handed to it (the default); without, every step a check concerns is handed to it, which gives the same findings more slowly.</summary>
    public bool Screened { get; init; } = true;

    // The checks a settled step of one operation is handed to, each with its screen for it.
    private sealed class Route(PropertyCheck[] checks, StepScreen[] screens)
    {
        public readonly PropertyCheck[] Checks = checks;
        public readonly StepScreen[] Screens = screens;

        // Whether the k-th check takes a step that replaced or removed affected, disabled gone
        // and leaves after in the list: it waits for its case, or the step passes its screen.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public bool Takes(int k, ulong affected, ulong gone, ulong after) =>
            Checks[k].SeesEveryStep || Screens[k].Passes(affected, gone, after);
    }

    // Per alphabet index of concernedFor's alphabet, the route of a settled step of that operation.
    private Route[] concerned = [];
    private Operation[]? concernedFor;

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private Route Concerned(StateGraph graph, int op) =>
        ReferenceEquals(concernedFor, graph.Alphabet) ? concerned[op] : ConcernedFirst(graph, op);

    private Route ConcernedFirst(StateGraph graph, int op)
    {
        concerned = Array.ConvertAll(graph.Alphabet, RouteOf);
        concernedFor = graph.Alphabet;
        return concerned[op];
    }

    private Route RouteOf(Operation op)
    {
        var checks = ConcernedBy(op);
        return new Route(checks, Array.ConvertAll(checks, c => Screened ? c.Screen(op) : StepScreen.Every));
    }

    // The checks a settled step of an operation is handed to: those of its kind it concerns. An
    // operation naming no patch of the catalog is never accepted.
    private PropertyCheck[] ConcernedBy(Operation op)
    {
        var group = op.Patch >= catalog.Count ? [] : op.Kind switch { OpKind.Load => loads, OpKind.Disable => disables, _ => [] };
        return [.. group.Where(c => c.Concerns(op))];
    }

    /// <summary>The loads that replaced a customer patch in <paramref name="graph"/>, recorded as the search went; null when this visitor did not see that search from its root.</summary>
    /// <remarks>
    /// What a load replaced is known while searching and not stored in the graph; with this record
    /// the operations of an atomic install (<see cref="GraphFacts"/>) are told apart without
    /// applying a load again.
    /// </remarks>
    public ReplacingLoads? CustomerLoads(StateGraph graph) => ReferenceEquals(searched, graph) ? customerLoads : null;

    /// <summary>True when no check subscribes to any event: the explorer need not be told anything.</summary>
    public bool Silent => states.Length + transitions.Length + loads.Length + disables.Length + refusals.Length == 0;

    /// <inheritdoc/>
    public override void OnState(StateGraph graph, int state, in KernelState value)
    {
        if (state == 0)
        {
            searched = graph;
            customerLoads.Clear(graph.Alphabet.Length);
        }
        foreach (var c in states) c.OnState(graph, state, value);
    }

    /// <inheritdoc/>
    public override bool SeesUnchangedRefusals => unchangedRefusals;

    /// <inheritdoc/>
    public override void OnRefusal(StateGraph graph, int state, int op, in KernelState before, in KernelState after)
    {
        foreach (var c in refusals) c.OnRefusal(graph, state, op, before, after);
    }

    /// <inheritdoc/>
    /// <remarks>Every transition when a check subscribes to them; otherwise the loads (to record those that replaced a customer patch) and the disables that concern a check.</remarks>
    public override bool SeesTransitionsOf(Operation op) =>
        transitions.Length > 0 || (op.Kind == OpKind.Load && op.Patch < catalog.Count && customers != 0) || ConcernedBy(op).Length > 0;

    /// <inheritdoc/>
    public override void OnTransition(StateGraph graph, in Edge edge, in KernelState before, in KernelState after)
    {
        foreach (var c in transitions) c.OnTransition(graph, edge, before, after);
        var kind = graph.Alphabet[edge.Op].Kind;
        if (kind == OpKind.Load && (edge.Affected & customers) != 0) customerLoads.Add(edge.From, edge.Op);
        if (kind is not (OpKind.Load or OpKind.Disable) || Concerned(graph, edge.Op) is not { Checks.Length: > 0 } to) return;
        // In two-phase mode a load is always followed by Complete; a disable only when it left a
        // transition (a disable that finished at once needs none).
        if (twoPhase && (kind == OpKind.Load || after.InTransition)) SettleAfterComplete(graph, edge, before, after, to);
        else Settle(graph, edge, before, after, to, 0);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private void SettleAfterComplete(StateGraph graph, in Edge edge, in KernelState before, in KernelState after, Route to)
    {
        var settled = Kernel.Step(catalog, reading, after, Operation.Complete()).State;
        Settle(graph, edge, before, settled, to, 1);
    }

    // Hands the settled step from before to after (extra: 1 when a Complete follows the
    // operation) to each check of the route that sees every step or whose screen it passes.
    private static void Settle(StateGraph graph, in Edge edge, in KernelState before, in KernelState after, Route to, int extra)
    {
        var checks = to.Checks;
        var gone = Observables.EnabledMask(before) & ~Observables.EnabledMask(after);
        var k = 0;
        while (k < checks.Length && !to.Takes(k, edge.Affected, gone, after.InPatches)) k++;
        if (k == checks.Length) return;
        var step = new SettledStep(edge.From, graph.Alphabet[edge.Op], edge.Affected, in before, in after, extra, graph.Depth[edge.From] + 1 + extra);
        checks[k].OnSettled(graph, step);
        for (k++; k < checks.Length; k++)
            if (to.Takes(k, edge.Affected, gone, after.InPatches)) checks[k].OnSettled(graph, step);
    }
}

using System.Text;
using Klp.Check.Equivalence;
using Klp.Check.Model;
using Klp.Check.Scenarios;

namespace Klp.Check.Reports;

/// <summary>A step's outcome and the kernel state after it, in the words of a scenario's <c>expect</c> lines.</summary>
public static class KernelStateText
{
    /// <summary>One reading's result of a step, in words: "accepted, replaces klp-1b" or "refused EINVAL function-conflict".</summary>
    public static string Outcome(Catalog catalog, Operation? op, Outcome? outcome)
    {
        if (outcome is not { } o) return "initial state";
        if (!o.Accepted) return $"refused {o.Errno} {o.Reason.Name()}";
        if (o.Affected == 0) return "accepted";
        var verb = op?.Kind switch { OpKind.Load => "replaces", OpKind.Unload => "unloads", _ => "removes" };
        return $"accepted, {verb} {string.Join(" ", catalog.NamesOf(o.Affected))}";
    }

    /// <summary>The enabled patches after a step, and the transition if one is running.</summary>
    public static string Enabled(Catalog catalog, in KernelState state)
    {
        var names = Observables.Enabled(state).Select(p => catalog[p].Name).ToList();
        var text = names.Count == 0 ? "none" : string.Join(" ", names);
        if (state.InTransition)
            text += $" (transition {catalog[state.TransitionPatch].Name} -> {(state.TargetPatched ? "patched" : "unpatched")})";
        return text;
    }

    /// <summary>Every observable after a step, one line each: the outcome, then clauses an <c>expect</c> line takes (enabled and transition, stack order, occupied sets, active code, active states, modules).</summary>
    public static IEnumerable<string> Observed(Catalog catalog, Reading reading, Operation? op, Outcome? outcome, KernelState state)
    {
        static string Set(IEnumerable<string> names) => "{" + string.Join(", ", names) + "}";
        yield return Outcome(catalog, op, outcome);
        var transition = state.InTransition
            ? $"transition {catalog[state.TransitionPatch].Name} {(state.TargetPatched ? "patched" : "unpatched")}"
            : "transition none";
        yield return $"enabled {Set(Observables.Enabled(state).Select(p => catalog[p].Name))}; {transition}";
        if (state.Count > 0)
            yield return string.Join("; ", Enumerable.Range(0, state.Count).Select(i => $"stack_order {catalog[state.PatchAt(i)].Name} = {i + 1}"));
        var occupied = Observables.OccupiedSets(catalog, reading, state);
        if (reading.HasSets && occupied.Count > 0)
            yield return string.Join("; ", occupied.Select(o => $"occupies {catalog[o.Patch].Name} {{{string.Join(",", catalog.SetsOf(o.Sets))}}}"));
        if (catalog.Functions.Length > 0)
            yield return string.Join("; ", Enumerable.Range(0, catalog.Functions.Length).Select(f =>
            {
                var p = Observables.ActiveImplementation(catalog, state, f);
                return $"active {catalog.Functions[f]} = {(p < 0 ? "original" : catalog[p].Name)}";
            }));
        if (state.InTransition)
            foreach (var f in StackFunctions(catalog, state))
                yield return RunsClause.Text(catalog, catalog.Functions[f],
                    FunctionStack.Runs(catalog, state, f, switched: true), FunctionStack.Runs(catalog, state, f, switched: false));
        yield return $"states {{{string.Join(", ", Observables.ActiveStates(catalog, state).Values)}}}";
        yield return $"loaded {Set(catalog.NamesOf(state.Loaded))}; pinned {Set(catalog.NamesOf(state.Pinned))}";
    }

    /// <summary>Mid-transition, the functions whose switched and unswitched tasks run different code, as <c>"; f: a2 switched, a1 unswitched"</c>; empty otherwise.</summary>
    public static string SplitCode(Catalog catalog, KernelState state)
    {
        if (!state.InTransition) return "";
        var sb = new StringBuilder();
        foreach (var f in StackFunctions(catalog, state))
        {
            var sw = FunctionStack.Runs(catalog, state, f, switched: true);
            var un = FunctionStack.Runs(catalog, state, f, switched: false);
            if (sw == un) continue;
            string Name(int p) => p < 0 ? "original" : catalog[p].Name;
            sb.Append($"; {catalog.Functions[f]}: {Name(sw)} switched, {Name(un)} unswitched");
        }
        return sb.ToString();
    }

    // The functions with a non-empty func_stack, in catalog order.
    private static IEnumerable<int> StackFunctions(Catalog catalog, KernelState state)
    {
        for (var f = 0; f < catalog.Functions.Length; f++)
            if (FunctionStack.Of(catalog, state, f).Count > 0) yield return f;
    }
}

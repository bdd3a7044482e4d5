using Klp.Check.Model;

namespace Klp.Check.Scenarios;

/// <summary>What an expectation checks after a step.</summary>
public abstract record Clause
{
    /// <summary>Null when the clause holds; otherwise what was observed instead.</summary>
    /// <param name="catalog">The scenario's catalog.</param>
    /// <param name="reading">The reading the step ran under.</param>
    /// <param name="outcome">The step's outcome, or null for the initial state.</param>
    /// <param name="state">The state after the step.</param>
    public abstract string? Check(Catalog catalog, Reading reading, Outcome? outcome, in KernelState state);

    /// <summary>A list of names in scenario syntax.</summary>
    protected static string Names(IEnumerable<string> names) => "{" + string.Join(", ", names) + "}";
}

/// <summary><c>accepted [replaces {...}]</c>.</summary>
public sealed record AcceptedClause(IReadOnlyList<int>? Affected) : Clause
{
    /// <inheritdoc/>
    public override string? Check(Catalog catalog, Reading reading, Outcome? outcome, in KernelState state)
    {
        if (outcome is not { } o) return "no operation to check";
        if (!o.Accepted) return $"refused {o.Errno} {o.Reason.Name()}";
        if (Affected is null) return null;
        ulong want = 0;
        foreach (var p in Affected) want |= 1UL << p;
        return want == o.Affected ? null : $"accepted, replaces {Names(catalog.NamesOf(o.Affected))}";
    }
}

/// <summary><c>refused [ERRNO] [reason]</c>.</summary>
public sealed record RefusedClause(Errno? Errno, Reason? Reason) : Clause
{
    /// <inheritdoc/>
    public override string? Check(Catalog catalog, Reading reading, Outcome? outcome, in KernelState state)
    {
        if (outcome is not { } o) return "no operation to check";
        if (o.Accepted) return $"accepted, replaces {Names(catalog.NamesOf(o.Affected))}";
        if (Errno is { } e && e != o.Errno || Reason is { } r && r != o.Reason) return $"refused {o.Errno} {o.Reason.Name()}";
        return null;
    }
}

/// <summary><c>enabled {A, B}</c>: the enabled patches in list order.</summary>
public sealed record EnabledClause(IReadOnlyList<int> Patches) : Clause
{
    /// <inheritdoc/>
    public override string? Check(Catalog catalog, Reading reading, Outcome? outcome, in KernelState state)
    {
        var actual = Observables.Enabled(state);
        return actual.SequenceEqual(Patches) ? null : $"enabled {Names(actual.Select(p => catalog[p].Name))}";
    }
}

/// <summary><c>active FUNC = NAME|original</c>.</summary>
public sealed record ActiveClause(FunctionId Function, int Patch) : Clause
{
    /// <inheritdoc/>
    public override string? Check(Catalog catalog, Reading reading, Outcome? outcome, in KernelState state)
    {
        var f = catalog.IndexOfFunction(Function);
        var actual = f < 0 ? -1 : Observables.ActiveImplementation(catalog, state, f);
        return actual == Patch ? null : $"active {Function} = {(actual < 0 ? "original" : catalog[actual].Name)}";
    }
}

/// <summary>Which tasks a <c>runs</c> clause is about.</summary>
public enum RunsTasks
{
    /// <summary>Tasks that have switched to the transition's target state.</summary>
    Switched,
    /// <summary>Tasks that have not switched yet.</summary>
    Unswitched,
    /// <summary>Every task: both kinds run the same code.</summary>
    All,
}

/// <summary><c>runs FUNC = NAME|original for switched|unswitched|all tasks</c>: the code <c>klp_ftrace_handler()</c> runs.</summary>
/// <param name="Function">The function.</param>
/// <param name="Patch">The patch whose code runs, or <see cref="FunctionStack.Original"/>.</param>
/// <param name="Tasks">Which tasks.</param>
/// <param name="FunctionColumn">The function's offset in the clause text, for diagnostics.</param>
public sealed record RunsClause(FunctionId Function, int Patch, RunsTasks Tasks, int FunctionColumn) : Clause
{
    /// <inheritdoc/>
    public override string? Check(Catalog catalog, Reading reading, Outcome? outcome, in KernelState state)
    {
        var f = catalog.IndexOfFunction(Function);
        if (f < 0) return $"unknown function {Function}";
        var switched = FunctionStack.Runs(catalog, state, f, switched: true);
        var unswitched = FunctionStack.Runs(catalog, state, f, switched: false);
        var ok = Tasks switch
        {
            RunsTasks.Switched => switched == Patch,
            RunsTasks.Unswitched => unswitched == Patch,
            _ => switched == Patch && unswitched == Patch,
        };
        return ok ? null : Text(catalog, Function, switched, unswitched);
    }

    /// <summary>The observed code in clause syntax: one clause for all tasks, or one per kind of task.</summary>
    public static string Text(Catalog catalog, FunctionId function, int switched, int unswitched)
    {
        string Name(int p) => p < 0 ? "original" : catalog[p].Name;
        return switched == unswitched
            ? $"runs {function} = {Name(switched)} for all tasks"
            : $"runs {function} = {Name(switched)} for switched tasks; runs {function} = {Name(unswitched)} for unswitched tasks";
    }
}

/// <summary><c>states {1:v2, 3:v0:block_disable}</c>: the active states, exactly.</summary>
public sealed record StatesClause(IReadOnlyList<KlpState> States) : Clause
{
    /// <inheritdoc/>
    public override string? Check(Catalog catalog, Reading reading, Outcome? outcome, in KernelState state)
    {
        var actual = Observables.ActiveStates(catalog, state).Values.ToList();
        return actual.SequenceEqual(States.OrderBy(s => s.Id)) ? null : "states {" + string.Join(", ", actual) + "}";
    }
}

/// <summary><c>occupies NAME {1,2}</c>: the sets an enabled patch occupies.</summary>
public sealed record OccupiesClause(int Patch, IReadOnlyList<uint> Sets) : Clause
{
    /// <inheritdoc/>
    public override string? Check(Catalog catalog, Reading reading, Outcome? outcome, in KernelState state)
    {
        foreach (var (p, mask) in Observables.OccupiedSets(catalog, reading, state))
        {
            if (p != Patch) continue;
            var actual = catalog.SetsOf(mask).ToList();
            return actual.SequenceEqual(Sets.Order()) ? null : $"occupies {catalog[p].Name} {{{string.Join(",", actual)}}}";
        }
        return $"{catalog[Patch].Name} is not enabled";
    }
}

/// <summary><c>loaded {..}</c> or <c>pinned {..}</c>: modules, in any order.</summary>
public sealed record ModulesClause(bool Pinned, IReadOnlyList<int> Patches) : Clause
{
    /// <inheritdoc/>
    public override string? Check(Catalog catalog, Reading reading, Outcome? outcome, in KernelState state)
    {
        ulong want = 0;
        foreach (var p in Patches) want |= 1UL << p;
        var actual = Pinned ? state.Pinned : state.Loaded;
        return actual == want ? null : $"{(Pinned ? "pinned" : "loaded")} {Names(catalog.NamesOf(actual))}";
    }
}

/// <summary><c>transition none</c> or <c>transition NAME patched|unpatched</c>.</summary>
public sealed record TransitionClause(int Patch, bool TargetPatched) : Clause
{
    /// <inheritdoc/>
    public override string? Check(Catalog catalog, Reading reading, Outcome? outcome, in KernelState state)
    {
        if (state.TransitionPatch == Patch && (Patch < 0 || state.TargetPatched == TargetPatched)) return null;
        return state.InTransition
            ? $"transition {catalog[state.TransitionPatch].Name} {(state.TargetPatched ? "patched" : "unpatched")}"
            : "transition none";
    }
}

/// <summary><c>stack_order NAME = N</c> (0: not in <c>Patches</c>).</summary>
public sealed record StackOrderClause(int Patch, int Order) : Clause
{
    /// <inheritdoc/>
    public override string? Check(Catalog catalog, Reading reading, Outcome? outcome, in KernelState state)
    {
        var actual = state.StackOrder(Patch);
        return actual == Order ? null : $"stack_order {catalog[Patch].Name} = {actual}";
    }
}

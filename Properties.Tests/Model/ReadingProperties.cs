using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Property = FsCheck.Property;

namespace Klp.Check.Tests.Model;

/// <summary>Each reading's rules from docs/semantics.md section 4, stated on every accepted or refused load of generated runs.</summary>
[Properties(Arbitrary = new[] { typeof(Arbitraries) }, MaxTest = 300)]
public class ReadingProperties
{
    private static ulong Listed(Catalog c, Reading r, in KernelState after, int p, int @params)
    {
        // The sets the load listed: its own list (or the allocated set) and add_sets.
        var position = after.StackOrder(p) - 1;
        var auto = after.AutoSetAt(position);
        ulong listed = auto >= 0 ? 1UL << auto : 0;
        if (auto < 0)
            foreach (var n in c[p].Sets) listed |= 1UL << c.SetNumbers.IndexOf(n);
        foreach (var n in c.AddSetsVariants[@params]) listed |= 1UL << c.SetNumbers.IndexOf(n);
        return listed;
    }

    /// <summary>Runs each load of a run in atomic mode and checks a rule on the state before and after it.</summary>
    private static Property EveryLoad(Trace run, Func<Trace, Operation, KernelState, Klp.Check.Model.Outcome, string?> rule)
    {
        var reading = run.Reading.WithGranularity(Granularity.Atomic);
        var state = KernelState.Empty;
        var loads = 0;
        foreach (var op in run.Operations)
        {
            var o = Kernel.Step(run.Catalog, reading, state, op);
            if (op.Kind == OpKind.Load && op.Patch < run.Catalog.Count)
            {
                loads++;
                if (rule(run with { Reading = reading }, op, state, o) is { } broken)
                    return false.Label($"{op.Format(run.Catalog)} under {reading.DisplayName}: {broken}");
            }
            state = o.State;
        }
        return true.ToProperty().Classify(loads == 0, "no load").Classify(loads > 0, "loads");
    }

    [Property]
    public Property AcceptedLoad_OccupiesWhatTheReadingSays(Trace run) => EveryLoad(run, (r, op, before, o) =>
    {
        if (!o.Accepted) return null;
        var c = r.Catalog;
        var position = o.State.StackOrder(op.Patch) - 1;
        var occupied = Kernel.Occupied(c, r.Reading, o.State, position);
        var listed = Listed(c, r.Reading, o.State, op.Patch, op.Params);
        return r.Reading.Membership switch
        {
            Membership.None => occupied == 0 ? null : "upstream occupies no set",
            // Own-set readings: only the first of the list (or the allocated set).
            Membership.OwnSet => System.Numerics.BitOperations.PopCount(occupied) == 1 && (occupied & listed) == occupied ? null : $"occupies {occupied:x}, not one own set of {listed:x}",
            _ => occupied == listed ? null : $"occupies {occupied:x}, not every listed set {listed:x}",
        };
    });

    [Property]
    public Property AcceptedLoad_ReplacesExactlyTheReadingsReplacedSet(Trace run) => EveryLoad(run, (r, op, before, o) =>
    {
        if (!o.Accepted) return null;
        var c = r.Catalog;
        var reading = r.Reading;
        var listed = Listed(c, reading, o.State, op.Patch, op.Params);
        ulong expected = 0;
        for (var i = 0; i < before.Count; i++)
        {
            var q = before.PatchAt(i);
            var occ = Kernel.Occupied(c, reading, before, i);
            var inR = reading.Replace switch
            {
                ReplaceRule.ByReplaceFlag => c[op.Patch].Replace,
                _ when reading.Zero == ZeroRule.ReplacesAll && c[op.Patch].SetSource == SetSource.Fixed && c[op.Patch].Sets[0] == 0 => true,
                ReplaceRule.Intersecting => (occ & listed) != 0,
                _ => (occ & ~listed) == 0 || reading.Options.PartialOverlap == PartialOverlap.Replace && (occ & listed) != 0,
            };
            if (inR) expected |= 1UL << q;
        }
        return o.Affected == expected ? null : $"replaced {o.Affected:x}, the reading's R(P) is {expected:x}";
    });

    [Property]
    public Property RefusedLoad_NamesTheRuleItBroke(Trace run) => EveryLoad(run, (r, op, before, o) =>
    {
        var c = r.Catalog;
        var reading = r.Reading;
        var p = c[op.Patch];
        return o.Reason switch
        {
            Reason.UnsupportedParameter => !reading.AddSetsParameter && op.Params != 0 ? null : "unsupported-parameter with a parameter the reading has",
            Reason.UnexpressibleAttributes => reading.HasSets && (reading.Arity == SetArity.Single && p.SetSource == SetSource.Fixed && p.Sets.Length > 1
                || reading.Zero == ZeroRule.OnlyByZero && (p.Sets.Contains(0u) || c.AddSetsVariants[op.Params].Contains(0u))) ? null : "unexpressible attributes that the reading can express",
            Reason.PartialSetOverlap => reading.Replace == ReplaceRule.Subset && reading.Options.PartialOverlap == PartialOverlap.Refuse ? null : "partial-set-overlap outside the set reading",
            Reason.FunctionConflict => reading.Options.Isolation != Isolation.None ? null : "function-conflict without isolation",
            Reason.StateConflict => reading.Options.Isolation == Isolation.FunctionsAndStates ? null : "state-conflict without state isolation",
            Reason.StateBlocked => reading.Options.States == StateRules.BlockDisable ? null : "state-blocked under versions",
            Reason.StateDropped => reading.Options.States == StateRules.Versions ? null : "state-dropped under block-disable",
            Reason.ModuleLoaded => (before.Loaded & (1UL << op.Patch)) != 0 ? null : "module-loaded for a module that is not",
            Reason.TransitionInProgress => before.InTransition ? null : "transition-in-progress without a transition",
            Reason.DuplicateFunction => p.Funcs.Select(f => f.Normalized).Distinct().Count() < p.Funcs.Length ? null : "duplicate-function for a patch that names each function once",
            _ => null,
        };
    });

    [Property]
    public Property LoadOfPatchNamingAFunctionTwice_IsNeverAccepted(Trace run) => EveryLoad(run, (r, op, before, o) =>
        o.Accepted && r.Catalog.HasDuplicateFunction(op.Patch) ? $"{r.Catalog[op.Patch].Name} names a function twice and loaded" : null);

    [Property]
    public Property AcceptedLoad_UnderIsolation_LeavesNoSharedFunction(Trace run) => EveryLoad(run, (r, op, before, o) =>
    {
        if (!o.Accepted || r.Reading.Options.Isolation == Isolation.None) return null;
        var c = r.Catalog;
        var enabled = Observables.Enabled(o.State);
        foreach (var q in enabled)
            if (q != op.Patch && (c.FunctionBits(q, r.Reading.Options.FunctionIdentity) & c.FunctionBits(op.Patch, r.Reading.Options.FunctionIdentity)) != 0)
                return $"{c[op.Patch].Name} and {c[q].Name} share a function";
        return null;
    });
}

using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using Klp.Check.Conformance;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Xunit;
using Property = FsCheck.Property;

namespace Klp.Check.Tests.Reference;

/// <summary><see cref="FunctionStack"/> agrees with <see cref="ReferenceFunctionStacks"/> after every step of generated runs, every reading, set readings without isolation included.</summary>
[Properties(MaxTest = 300)]
public class FunctionStackAgreementProperties
{
    // Raw catalogs or release plans (where cumulatives share the functions of earlier releases).
    // Random operations alone mostly reload loaded modules, so a run first loads and completes
    // some patches in release or random order (the last one's transition left open half of the
    // time), then runs generated operations with a Complete after about half of them.
    private static Arbitrary<Trace> Runs(Func<Reading, Reading> adjust) => Arb.From(
        from reading in Generators.Readings().Select(adjust)
        from pick in Gen.Choose(0, 1)
        from catalog in pick == 0 ? Generators.Catalogs(2, 5) : Generators.Plans(5).Select(plan => plan.Encode(reading))
        from shuffled in Gen.Shuffle(Enumerable.Range(0, catalog.Count).ToArray())
        from inOrder in Gen.Elements(false, true)
        from loads in Gen.Choose(0, catalog.Count)
        from open in Gen.Elements(false, true)
        from length in Gen.Choose(0, Generators.DefaultMaxOperations)
        from ops in Generators.Operations(catalog, length)
        from completes in Gen.ArrayOf(Gen.Elements(false, true), length)
        let order = inOrder ? Enumerable.Range(0, catalog.Count) : shuffled
        let prefix = order.Take(loads).SelectMany(p => new[] { Operation.Load(p), Operation.Complete() }).SkipLast(open ? 1 : 0)
        select new Trace(catalog, reading, [.. prefix, .. ops.Zip(completes).SelectMany(x => x.Second ? [x.First, Operation.Complete()] : new[] { x.First })]),
        Generators.ShrinkTrace);

    private static Func<Reading, Reading> With(Granularity granularity, Isolation? isolation = null) =>
        r => r.With(r.Options with { Granularity = granularity, Isolation = isolation ?? r.Options.Isolation });

    [Property]
    public Property FunctionStack_TwoPhaseRun_AgreesWithReference() =>
        Prop.ForAll(Runs(With(Granularity.TwoPhase)), Agrees);

    // Without isolation a set reading's nops can land on the entry of a patch it does not replace.
    [Property]
    public Property FunctionStack_TwoPhaseRunWithoutIsolation_AgreesWithReference() =>
        Prop.ForAll(Runs(With(Granularity.TwoPhase, Isolation.None)), Agrees);

    [Property]
    public Property FunctionStack_AtomicRun_AgreesWithReference() =>
        Prop.ForAll(Runs(With(Granularity.Atomic)), Agrees);

    private sealed record Comparison(string? Disagreement, bool SawNop, bool SawSplit, bool SawLostFix, bool SawReplacingLoad = false);

    // The danger behind isolation, which random runs reach rarely: set 1's a2 replaces a1 and
    // its nop for f lands on set 2's b1 (scenarios/thread/lost-fix-shared-function.klp).
    [Fact]
    public void FunctionStack_NopOverAnotherSetsFix_AgreesWithReference()
    {
        var f = new FunctionId(FunctionId.Vmlinux, "f", 0);
        var g = new FunctionId(FunctionId.Vmlinux, "g", 0);
        Patch Vendor(string name, PatchKind kind, uint set, FunctionId func) => new(name, Origin.Vendor, kind, 0, [func], [], false, [set]);
        var catalog = new Catalog([Vendor("a1", PatchKind.Cumulative, 1, f), Vendor("b1", PatchKind.Hotfix, 2, f), Vendor("a2", PatchKind.Cumulative, 1, g)]);
        var reading = Readings.Set.With(Readings.Set.Options with { Isolation = Isolation.None, Granularity = Granularity.TwoPhase });
        Operation[] ops = [Operation.Load(0), Operation.Complete(), Operation.Load(1), Operation.Complete(), Operation.Load(2)];

        var result = Compare(new Trace(catalog, reading, ops));
        var stacks = RefStacks.Empty;
        var state = RefState.Empty;
        foreach (var op in ops)
        {
            var (outcome, next) = ReferenceFunctionStacks.Step(catalog, reading, state, stacks, op);
            (state, stacks) = (outcome.State, next);
        }

        Assert.Null(result.Disagreement);
        Assert.True(result.SawLostFix);
        Assert.Equal([new RefFunc(2, true, true), new RefFunc(1, false, false), new RefFunc(0, false, false)], stacks.Of(f));
        Assert.Equal((-1, 1), (ReferenceFunctionStacks.Runs(stacks, f, switched: true), ReferenceFunctionStacks.Runs(stacks, f, switched: false)));
    }

    private static Property Agrees(Trace run)
    {
        var result = Compare(run);
        return (result.Disagreement is null).Label(result.Disagreement ?? "agrees")
            .Classify(result.SawNop, "a nop on a stack")
            .Classify(result.SawSplit, "switched and unswitched tasks run different code")
            .Classify(result.SawLostFix, "a nop over a patch the transition does not replace")
            .Classify(result.SawReplacingLoad, "a replacing load");
    }

    /// <summary>Steps the fast model and the reference through the run; the first disagreement in stacks or in the code a task runs, if any.</summary>
    private static Comparison Compare(Trace run)
    {
        var catalog = run.Catalog;
        var reading = run.Reading;
        var fast = KernelState.Empty;
        var reference = RefState.Empty;
        var stacks = RefStacks.Empty;
        bool sawNop = false, sawSplit = false, sawLostFix = false, sawReplacing = false;
        for (var i = 0; i < run.Operations.Count; i++)
        {
            var op = run.Operations[i];
            var f = Kernel.Step(catalog, reading, fast, op);
            (var r, stacks) = ReferenceFunctionStacks.Step(catalog, reading, reference, stacks, op);
            var where = $"step {i + 1} ({op.Format(catalog)})";
            if (f.Accepted != r.Accepted)
                return new($"{where}: fast accepted {f.Accepted}, reference {r.Accepted}", sawNop, sawSplit, sawLostFix);
            fast = f.State;
            reference = r.State;
            sawReplacing |= op.Kind == OpKind.Load && r.Accepted && !r.Affected.IsEmpty;
            for (var fn = 0; fn < catalog.Functions.Length; fn++)
            {
                var function = catalog.Functions[fn];
                var want = stacks.Of(function);
                var got = FunctionStack.Of(catalog, fast, fn);
                var wantText = Text(catalog, want.Select(e => (e.Patch, e.Nop, e.Transition)));
                var gotText = Text(catalog, got.Select(e => (e.Patch, e.Nop, e.Transition)));
                if (wantText != gotText)
                    return new($"{where}, stack of {function}: FunctionStack {gotText}, reference {wantText}", sawNop, sawSplit, sawLostFix);
                foreach (var switched in new[] { true, false })
                {
                    var runs = FunctionStack.Runs(catalog, fast, fn, switched);
                    var expected = ReferenceFunctionStacks.Runs(stacks, function, switched);
                    if (runs != expected)
                        return new($"{where}, {(switched ? "switched" : "unswitched")} tasks run {function}: "
                            + $"FunctionStack {Code(catalog, runs)}, reference {Code(catalog, expected)} (stack {wantText})",
                            sawNop, sawSplit, sawLostFix);
                }
                sawNop |= want.Any(e => e.Nop);
                sawSplit |= ReferenceFunctionStacks.Runs(stacks, function, true) != ReferenceFunctionStacks.Runs(stacks, function, false);
                sawLostFix |= want.Count > 1 && want[0].Nop && !stacks.Replacing.Contains(want[1].Patch);
            }
        }
        return new(null, sawNop, sawSplit, sawLostFix, sawReplacing);
    }

    private static string Text(Catalog catalog, IEnumerable<(int Patch, bool Nop, bool Transition)> stack) =>
        "[" + string.Join(" ", stack.Select(e => (e.Nop ? "nop:" : "") + catalog[e.Patch].Name + (e.Transition ? "*" : ""))) + "]";

    private static string Code(Catalog catalog, int patch) => patch < 0 ? "original" : catalog[patch].Name;
}

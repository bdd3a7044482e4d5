using Klp.Check.Conformance;
using Klp.Check.Model;
using Klp.Check.Scenarios;

namespace Klp.Check.Tests.Conformance;

/// <summary>The comparison on a boot recorded from Linux 6.1.0-57-amd64 (Debian) running recorded.klp.</summary>
public class TraceComparisonTests
{
    private static readonly Scenario scenario = ScenarioParser.ParseFile(RepositoryFiles.Full("Properties.Tests/Conformance/recorded.klp"));
    private static readonly BootObservation boot = GuestOutput.Parse(File.ReadAllText(RepositoryFiles.Full("Properties.Tests/Conformance/recorded-boot.log")));

    private static ConformTrace Trace()
    {
        var ops = ConformTraces.FromScenario(scenario, out _)!.Value;
        return new ConformTrace(1, scenario.Path, scenario.Path, Realisation.TryCreate(scenario.Catalog, out _)!, ops.Ops, ops.Lines);
    }

    private static TraceResult Compare(Reading reading) =>
        TraceComparison.Compare(Trace(), reading, boot.Traces.Single(), Observability.From(boot.Traces.SelectMany(t => t.Steps)), boot.Release!);

    private static Reading Mutant(string name, Isolation isolation)
    {
        var r = Readings.Find(name)!;
        return r.With(r.Options with { Isolation = isolation, Granularity = Granularity.Atomic });
    }

    [Fact]
    public void Parse_RecordedBoot_OneCompleteTraceWithEveryStep()
    {
        Assert.Equal("6.1.0-57-amd64", boot.Release);
        Assert.True(boot.Finished);
        Assert.False(boot.Dirty);
        var trace = boot.Traces.Single();
        Assert.True(trace.Complete);
        Assert.Equal(11, trace.Steps.Count);
        Assert.All(trace.Steps, s => Assert.True(s.Settled));
    }

    [Fact]
    public void Parse_RecordedBoot_ErrnosFromExitStatusAndMessages()
    {
        var errnos = boot.Traces.Single().Steps.Select(GuestOutput.Errno);

        Assert.Equal([null, null, "EEXIST", "EAGAIN", null, "ENOENT", null, "EINVAL", "EINVAL", null, null], errnos);
    }

    [Fact]
    public void Parse_RecordedBoot_SysfsProcAndModulesAfterTheReplace()
    {
        var step = boot.Traces.Single().Steps[4];

        Assert.Equal([new LivepatchDir("c", true, false, null, null)], step.Livepatches);
        Assert.Equal(["console=ttyS0 quiet panic=-1 loglevel=3", "patched-by-c"], step.Functions);
        Assert.Equal(["c", "b", "a"], step.Modules);
        Assert.Contains(step.Log, l => l.EndsWith("livepatch: 'c': patching complete", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_TruncatedBoot_TraceIncompleteAndNotFinished()
    {
        var text = File.ReadAllText(RepositoryFiles.Full("Properties.Tests/Conformance/recorded-boot.log"));

        var cut = GuestOutput.Parse(text[..text.IndexOf("@@step 6", StringComparison.Ordinal)]);

        Assert.False(cut.Finished);
        Assert.False(cut.Traces.Single().Complete);
        Assert.Equal(5, cut.Traces.Single().Steps.Count);
    }

    [Fact]
    public void Compare_UpstreamOnTheRecordedKernel_AgreesUpToKnownDifferences()
    {
        var result = Compare(ConformTraces.Upstream);

        Assert.Equal(Agreement.Agree, result.Agreement);
        Assert.Null(result.First);
        Assert.All(result.Known, k => Assert.Contains(k.Difference, KnownDifference.All));
    }

    [Fact]
    public void Compare_MutantWhoseReplaceKeepsNonReplacePatches_DisagreesAtTheReplaceLoad()
    {
        // replace-set with isolation=none: c (set 1) replaces only set-1 patches and keeps a and b.
        var result = Compare(Mutant("replace-set", Isolation.None));

        Assert.Equal(Agreement.Disagree, result.Agreement);
        var first = result.First!;
        Assert.Equal(5, first.Step);
        Assert.Equal("load c", first.Operation);
        Assert.Equal("{a, b, c}", first.Model["enabled"]);
        Assert.Equal("{c}", first.Kernel["enabled"]);
        Assert.Equal(["enabled", "active f"], first.Differing);
        Assert.Equal("b", first.Model["active f"]);
        Assert.Equal("original", first.Kernel["active f"]);
        Assert.Contains(first.Log, l => l.Contains("livepatch: 'c': patching complete", StringComparison.Ordinal));
    }

    [Fact]
    public void Compare_MutantThatIsolatesFunctions_DisagreesOnTheResultOfTheStackingLoad()
    {
        var result = Compare(Mutant("upstream", Isolation.FunctionsAndStates));

        Assert.Equal(Agreement.Disagree, result.Agreement);
        Assert.Equal(2, result.First!.Step);
        Assert.Equal("refused EINVAL", result.First.Model["result"]);
        Assert.Equal("accepted", result.First.Kernel["result"]);
        Assert.Equal("function-conflict", result.First.Model.Detail);
    }

    // The 8 traces of recorded-generated.klp (seed 5, length 6) compared with a recorded boot of
    // them, under a reading.
    private static (BootObservation Boot, Observability Observable, Func<Reading, List<TraceResult>> Run) RecordedGenerated(string log)
    {
        var catalog = ScenarioParser.ParseFile(RepositoryFiles.Full("Properties.Tests/Conformance/recorded-generated.klp")).Catalog;
        var recorded = GuestOutput.Parse(File.ReadAllText(RepositoryFiles.Full(log)));
        var r = Realisation.TryCreate(catalog, out _)!;
        var traces = ConformTraces.Generate(catalog, 8, 5, 6).Select((ops, i) => new ConformTrace(i + 1, "g", $"g #{i + 1}", r, ops, new int[ops.Length])).ToList();
        var observable = Observability.From(recorded.Traces.SelectMany(t => t.Steps));
        return (recorded, observable, reading =>
            [.. traces.Select(t => TraceComparison.Compare(t, reading, recorded.Traces.Single(o => o.Id == t.Id), observable, recorded.Release!))]);
    }

    [Fact]
    public void Compare_GeneratedTracesOnARecordedBoot_UpstreamAgreesAndTheMutantIsCaught()
    {
        var (recorded, _, run) = RecordedGenerated("Properties.Tests/Conformance/recorded-generated.log");

        var upstream = run(ConformTraces.Upstream);
        var mutant = run(Mutant("replace-set", Isolation.None));

        Assert.Equal(8, recorded.Traces.Count(t => t.Complete));
        Assert.All(upstream, x => Assert.Equal(Agreement.Agree, x.Agreement));
        Assert.Contains(mutant, x => x.Agreement == Agreement.Disagree);
    }

    // Linux 6.12 has the replace attribute and lists /sys/kernel/livepatch in ls order, not in
    // the order the patches were enabled: the same traces, recorded on 6.12.95+deb12-amd64, agree
    // once the replace fact is a set.
    [Fact]
    public void Compare_GeneratedTracesOnARecorded612Boot_ReplaceComparedAsASetAgrees()
    {
        var (recorded, observable, run) = RecordedGenerated("Properties.Tests/Conformance/recorded-6.12-generated.log");

        var results = run(ConformTraces.Upstream);

        Assert.Equal("6.12.95+deb12-amd64", recorded.Release);
        Assert.Equal(new Observability(StackOrder: false, Replace: true), observable);
        Assert.All(results, x => Assert.Equal(Agreement.Agree, x.Agreement));
        // The kernel's order is not the model's at some step: a listed before e, which must have
        // been loaded first (e replaces every patch), so the replace list was {a=0, e=1}
        // against the model's {e=1, a=0}.
        Assert.Contains(recorded.Traces.SelectMany(t => t.Steps), s => s.Livepatches.Select(d => d.Name).SequenceEqual(["a", "e"]));
    }

    [Fact]
    public void Compare_StepMissing_TraceNotRun()
    {
        var observed = boot.Traces.Single();
        var cut = observed with { Steps = [.. observed.Steps.Take(3)], Complete = false };

        var result = TraceComparison.Compare(Trace(), ConformTraces.Upstream, cut, new Observability(false, false), "x");

        Assert.Equal(Agreement.NotRun, result.Agreement);
        Assert.Equal("the guest stopped after step 3 of 11", result.Why);
    }

    [Fact]
    public void Scenario_OfADisagreement_FailsUnderTheMutantOnlyAtTheDifferingStepAndHoldsUnderUpstream()
    {
        var mutant = Mutant("replace-set", Isolation.None);
        var text = Compare(mutant).Scenario!;
        var written = ScenarioParser.Parse(text, "conform-1.klp");
        var asUpstream = ScenarioParser.Parse(text.Replace($"readings {mutant.DisplayName}\n", "readings upstream\n"), "conform-1.klp");

        var wrong = Replayer.Run(written, [mutant]);
        var upstream = Replayer.Run(asUpstream, [ConformTraces.Upstream]);

        Assert.Contains($"readings {mutant.DisplayName}\n", text);
        Assert.NotEmpty(wrong.Failures);
        Assert.All(wrong.Failures, f => Assert.Contains(f.Expectation, written.Steps[5].Expectations));
        Assert.True(upstream.Checked > 0);
        Assert.Empty(upstream.Failures);
    }

    [Fact]
    public void KnownDifference_OnlyWhileTheModelSaysTheOldErrno()
    {
        Assert.Equal("rmmod-in-use", KnownDifference.Match(OpKind.Unload, "EBUSY", "EAGAIN")?.Id);
        Assert.Null(KnownDifference.Match(OpKind.Unload, "EAGAIN", "EAGAIN"));
        Assert.Null(KnownDifference.Match(OpKind.Load, "EBUSY", "EAGAIN"));
    }

    // A two-phase trace recorded from the same kernel: scenarios/kernel/code-nop-mid-transition.klp,
    // its replace transition held open by the busy module's threads.
    private static readonly Scenario held = ScenarioParser.ParseFile(RepositoryFiles.Full("scenarios/kernel/code-nop-mid-transition.klp"));
    private static readonly string heldConsole = File.ReadAllText(RepositoryFiles.Full("Properties.Tests/Conformance/recorded-twophase-boot.log"));

    private static TraceResult CompareHeld(string console, Reading reading)
    {
        var ops = ConformTraces.FromScenario(held, out _)!.Value;
        var trace = new ConformTrace(1, held.Path, held.Path, Realisation.TryCreate(held.Catalog, out _)!.WithBusy(out _)!, ops.Ops, ops.Lines, ops.Phases);
        var boot = GuestOutput.Parse(console);
        return TraceComparison.Compare(trace, reading, boot.Traces.Single(), Observability.From(boot.Traces.SelectMany(t => t.Steps)), boot.Release!);
    }

    [Fact]
    public void Parse_RecordedHeldTransition_BothThreadsReadEveryPoolFile()
    {
        var step = GuestOutput.Parse(heldConsole).Traces.Single().Steps[1];

        Assert.Equal(FunctionPool.Functions.Length, step.TaskA!.Count);
        Assert.Equal(FunctionPool.Functions.Length, step.TaskB!.Count);
        Assert.Equal("patched-by-test_klp_livepatch", step.TaskA[0]);
        Assert.StartsWith("console=", step.TaskB[0], StringComparison.Ordinal);
        Assert.Equal("patched-by-test_klp_atomic_replace", step.TaskB[3]);
    }

    [Fact]
    public void Compare_UpstreamOnTheRecordedHeldTransition_AgreesOnWhatSwitchedAndUnswitchedTasksRun()
    {
        var result = CompareHeld(heldConsole, ConformTraces.Upstream);

        Assert.Equal(Agreement.Agree, result.Agreement);
        Assert.Equal(Granularity.TwoPhase, result.Trace.Mode);
    }

    [Fact]
    public void Compare_ThreadsSwapped_DisagreesAtTheHeldLoadOnWhatUnswitchedTasksRun()
    {
        var swapped = heldConsole.Replace("@@task a ", "@@task x ").Replace("@@task b ", "@@task a ").Replace("@@task x ", "@@task b ");

        var result = CompareHeld(swapped, ConformTraces.Upstream);

        Assert.Equal(Agreement.Disagree, result.Agreement);
        Assert.Equal(2, result.First!.Step);
        var cmdline = held.Catalog.Functions[0];
        Assert.Contains(StepView.Runs(cmdline, "unswitched"), result.First.Differing);
        Assert.Equal("test_klp_livepatch", result.First.Model[StepView.Runs(cmdline, "unswitched")]);
        Assert.Equal("original", result.First.Kernel[StepView.Runs(cmdline, "unswitched")]);
        Assert.Contains("mode two-phase\n", result.Scenario);
        Assert.Contains("runs cmdline_proc_show = original for unswitched tasks", result.Scenario);
    }
}

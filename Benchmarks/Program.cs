// `split-times` and `bare-search` are reports of their own (SplitTimesReport, BareSearchReport);
// everything else goes to BenchmarkDotNet. The reports time the explorer as klp-check runs it,
// with tiered compilation off (the tool's runtime configuration): this process has it on, so a
// report runs again in a child process that has it off (ReportProcess).
if (args is ["split-times" or "bare-search", ..] && Klp.Check.Benchmarks.ReportProcess.Tiered)
    return Klp.Check.Benchmarks.ReportProcess.RunUntiered();
if (args is ["split-times", .. var rest]) return Klp.Check.Benchmarks.SplitTimesReport.Run(rest);
if (args is ["bare-search", .. var more]) return Klp.Check.Benchmarks.BareSearchReport.Run(more);
BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Klp.Check.Benchmarks.StepBenchmarks).Assembly).Run(args);
return 0;

// `split-times` and `bare-search` are reports of their own (SplitTimesReport, BareSearchReport);
// everything else goes to BenchmarkDotNet.
if (args is ["split-times", .. var rest]) return Klp.Check.Benchmarks.SplitTimesReport.Run(rest);
if (args is ["bare-search", .. var more]) return Klp.Check.Benchmarks.BareSearchReport.Run(more);
BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Klp.Check.Benchmarks.StepBenchmarks).Assembly).Run(args);
return 0;

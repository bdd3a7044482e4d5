// `split-times` and `shared-table` are reports of their own (SplitTimesReport, SharedTableBound);
// everything else goes to BenchmarkDotNet.
if (args is ["split-times", .. var rest]) return Klp.Check.Benchmarks.SplitTimesReport.Run(rest);
if (args is ["shared-table", .. var more]) return Klp.Check.Benchmarks.SharedTableBound.Run(more);
BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Klp.Check.Benchmarks.StepBenchmarks).Assembly).Run(args);
return 0;

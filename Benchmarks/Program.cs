// `split-times` is a report of its own (SplitTimesReport); everything else goes to BenchmarkDotNet.
if (args is ["split-times", .. var rest]) return Klp.Check.Benchmarks.SplitTimesReport.Run(rest);
BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Klp.Check.Benchmarks.StepBenchmarks).Assembly).Run(args);
return 0;

BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(typeof(Klp.Check.Benchmarks.StepBenchmarks).Assembly).Run(args);

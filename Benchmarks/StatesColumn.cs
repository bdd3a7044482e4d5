using System.Collections.Concurrent;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Klp.Check.Comparison;
using Klp.Check.Verdicts;

namespace Klp.Check.Benchmarks;

/// <summary>Adds the states a benchmark explores and the states per second its mean time gives.</summary>
public sealed class StatesColumnsAttribute() : ColumnConfigBaseAttribute(new StatesColumn(perSecond: false), new StatesColumn(perSecond: true));

/// <summary>The distinct states one invocation explores, or that number divided by the mean time.</summary>
/// <remarks>
/// The count is the benchmark's own result: the column runs the benchmark once more in the host
/// process (setup, then the method) after the measurements, and reads an <c>int</c>, a <c>long</c>
/// a <see cref="ComparisonResult"/> or a <see cref="ReadingResult"/>; any other result shows as "-".
/// </remarks>
public sealed class StatesColumn(bool perSecond) : IColumn
{
    private static readonly ConcurrentDictionary<string, long?> counts = new();

    /// <inheritdoc/>
    public string Id => perSecond ? "StatesPerSecond" : "States";

    /// <inheritdoc/>
    public string ColumnName => perSecond ? "States/s" : "States";

    /// <inheritdoc/>
    public bool AlwaysShow => true;

    /// <inheritdoc/>
    public ColumnCategory Category => ColumnCategory.Custom;

    /// <inheritdoc/>
    public int PriorityInCategory => perSecond ? 1 : 0;

    /// <inheritdoc/>
    public bool IsNumeric => true;

    /// <inheritdoc/>
    public UnitType UnitType => UnitType.Dimensionless;

    /// <inheritdoc/>
    public string Legend => perSecond ? "Distinct states explored per second of mean time" : "Distinct states one invocation explores";

    /// <inheritdoc/>
    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    /// <inheritdoc/>
    public bool IsAvailable(Summary summary) => true;

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    /// <inheritdoc/>
    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        if (Count(benchmarkCase) is not { } states) return "-";
        if (!perSecond) return states.ToString("N0", CultureInfo.InvariantCulture);
        var mean = summary[benchmarkCase]?.ResultStatistics?.Mean;
        return mean is > 0 ? (states / (mean.Value / 1e9)).ToString("N0", CultureInfo.InvariantCulture) : "?";
    }

    private static long? Count(BenchmarkCase benchmarkCase) =>
        counts.GetOrAdd(benchmarkCase.Descriptor.WorkloadMethod.Name + " " + benchmarkCase.Parameters.DisplayInfo, _ => Run(benchmarkCase));

    private static long? Run(BenchmarkCase benchmarkCase)
    {
        var descriptor = benchmarkCase.Descriptor;
        var instance = Activator.CreateInstance(descriptor.Type)!;
        foreach (var p in benchmarkCase.Parameters.Items)
            descriptor.Type.GetProperty(p.Name)?.SetValue(instance, p.Value);
        descriptor.GlobalSetupMethod?.Invoke(instance, null);
        return descriptor.WorkloadMethod.Invoke(instance, null) switch
        {
            int n => n,
            long n => n,
            ComparisonResult r => r.States,
            ReadingResult r => r.Coverage.States,
            _ => null,
        };
    }
}

using System.Globalization;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Scenarios;

namespace Klp.Check.Benchmarks;

/// <summary>The arguments the reports outside BenchmarkDotNet share: <c>[--runs N] [--reading R] [--states N] CATALOG</c>, R a reading as <c>check --reading</c> takes it (positional by default).</summary>
public sealed record ReportArguments(int Runs, Reading Reading, Catalog Catalog, int States)
{
    /// <summary>The report's usage line, with its own options <paramref name="more"/> before CATALOG.</summary>
    public static string Usage(string report, bool takesStates = false, string more = "") =>
        $"usage: {report} [--runs N] [--reading R]{(takesStates ? " [--states N]" : "")}{(more.Length > 0 ? " " + more : "")} CATALOG";

    /// <summary>The arguments, or null with one line on standard error (the report's name and what is wrong) and the usage.</summary>
    /// <param name="args">The command line after the report's name.</param>
    /// <param name="report">The report's name, for its lines.</param>
    /// <param name="takesStates">Whether <c>--states</c> is an option of the report.</param>
    /// <param name="more">The report's own options for the usage line (the report reads them itself), before CATALOG.</param>
    public static ReportArguments? Parse(string[] args, string report, bool takesStates = false, string more = "")
    {
        var usage = Usage(report, takesStates, more);
        ReportArguments? Fail(string message)
        {
            Console.Error.WriteLine($"{report}: {message}");
            Console.Error.WriteLine(usage);
            return null;
        }
        var (runs, states, readingName, file) = (3, 1 << 22, "positional", (string?)null);
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--runs" when i + 1 < args.Length:
                    if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out runs) || runs < 1)
                        return Fail($"--runs: '{args[i]}' is not a number of runs (1 or more)");
                    break;
                case "--states" when takesStates && i + 1 < args.Length:
                    if (!int.TryParse(args[++i], NumberStyles.None, CultureInfo.InvariantCulture, out states) || states < 1 || states > 1 << 29)
                        return Fail($"--states: '{args[i]}' is not a number of states (1 to {1 << 29})");
                    break;
                case "--reading" when i + 1 < args.Length:
                    readingName = args[++i];
                    break;
                case "--runs" or "--reading" when i + 1 == args.Length:
                case "--states" when takesStates && i + 1 == args.Length:
                    return Fail($"{args[i]}: a value is needed");
                case var a when a.StartsWith('-'):
                    return Fail($"unknown option '{a}'");
                default:
                    if (file is not null) return Fail($"one catalog only, not '{file}' and '{args[i]}'");
                    file = args[i];
                    break;
            }
        }
        if (file is null) return Fail("a catalog file is needed");
        if (Readings.Parse(readingName, out var error) is not { } reading) return Fail($"--reading: {error}");
        if (!File.Exists(file)) return Fail($"{file}: no such file");
        try
        {
            return new ReportArguments(runs, reading, ScenarioParser.ParseFile(file).Catalog, states);
        }
        catch (InputException e)
        {
            return Fail(e.Message);
        }
    }
}

using System.CommandLine;
using Klp.Check.Comparison;
using Klp.Check.Conformance;
using Klp.Check.Shards;

namespace Klp.Check.Commands;

/// <summary><c>klp-check merge FILE...</c>: the report of one run from the partial results of its shards.</summary>
public static class MergeCommand
{
    // The identity fields, named as a user would say what differs.
    private static readonly Dictionary<string, string> FieldNames = new()
    {
        ["input"] = "bounds (input)", ["readings"] = "readings", ["properties"] = "invariants", ["options"] = "options",
        ["scenarios"] = "scenarios", ["files"] = "input files", ["ranges"] = "bounds ranges (--bounds-range)",
    };

    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var files = new Argument<string[]>("FILE") { Description = "the partial results of every shard (compare, check or sweep with --shard K/N --out FILE)", Arity = ArgumentArity.OneOrMore };
        var format = Cli.FormatOption("html");
        var expect = new Option<string?>("--expect") { HelpName = "FILE", Description = "compare: a verdict baseline: exit 1 and print what changed when any verdict differs" };
        var save = new Option<string?>("--save-baseline") { HelpName = "FILE", Description = "compare: write the verdicts as a baseline file" };
        var recheck = Cli.NumberOption("--recheck", 1, int.MaxValue,
            "run N inputs of every shard again (a seeded sample; a sweep, at every step) and refuse a shard they contradict: a violation it omitted, a count it shrank (docs/scale-out.md)");
        var seed = Cli.NumberOption("--seed", 0, int.MaxValue, "the seed of --recheck's sample: the same seed runs the same inputs again (default: a fresh one, printed)");
        var command = new Command("merge", "Combine the partial results of shards 1..N of one compare, check or sweep run into the report, verdicts, shortest traces and exit code of one unsharded run. Every shard is checked against the run first, and every trace it reports is replayed. Report options come only from this command line. Exit as the unsharded command would (0, 1, 3; a sweep prints text, markdown or json); 2 when a shard is missing, duplicated, from another run or tool version, not a well-formed partial result, or reports what does not replay (or what --recheck contradicts); 130 when a shard did not finish.")
        {
            files, format, expect, save, recheck, seed,
        };
        command.SetAction(parse =>
        {
            var fmt = parse.GetValue(format) ?? "text";
            var expectFile = parse.GetValue(expect);
            var saveFile = parse.GetValue(save);
            var sample = parse.GetValue(recheck);
            if (parse.GetValue(seed) is not null && sample is null)
            {
                stderr.WriteLine("klp-check: merge: --seed is the seed of --recheck's sample; give --recheck N");
                return ExitCodes.Usage;
            }
            if (saveFile is not null && !OutputPath.CheckFile("--save-baseline", saveFile, stderr)) return ExitCodes.Usage;
            var shards = Load(parse.GetValue(files)!, stderr);
            if (shards is null) return ExitCodes.Usage;
            var first = shards[0].Partial;
            if (first.Kind is "check" or "sweep" && (expectFile is not null || saveFile is not null))
            {
                stderr.WriteLine($"klp-check: merge: --expect and --save-baseline are options of compare, and these are {first.Kind} shards");
                return ExitCodes.Usage;
            }
            if (first.Kind == "sweep" && fmt == "html")
            {
                stderr.WriteLine("klp-check: merge: a sweep prints text, markdown or json, not html");
                return ExitCodes.Usage;
            }
            foreach (var (f, p) in shards)
                if (ShardOptions.Unrecorded(p.Arguments) is { } option)
                {
                    stderr.WriteLine($"{f}: merge: arguments: '{option}' is never recorded in a shard (merge takes report options from its own command line)");
                    return ExitCodes.Usage;
                }
            var partials = shards.Select(s => s.Partial).ToList();
            AuditedRun audited;
            int threads;
            Func<int> report;
            switch (first.Kind)
            {
                case "compare":
                {
                    var run = CompareCommand.Rebuild(first.Arguments, stderr);
                    if (run is null || !Unchanged(shards, run.Identity, stderr)) return ExitCodes.Usage;
                    var baseline = expectFile is null ? null : CompareCommand.ReadBaseline(expectFile, stderr);
                    if (expectFile is not null && baseline is null) return ExitCodes.Usage;
                    (audited, threads) = (new AuditedRun("compare", [new RunStep(null, run.Source)], run.Readings, run.Properties, run.Limits), run.Threads);
                    report = () => CompareCommand.Report(CompareCommand.Merge(run, partials), fmt, baseline, expectFile, saveFile, run.Threads, stdout, stderr);
                    break;
                }
                case "check":
                {
                    var run = CheckCommand.Rebuild(first.Arguments, stderr);
                    if (run is null || !Unchanged(shards, run.Identity, stderr)) return ExitCodes.Usage;
                    (audited, threads) = (new AuditedRun("check", [new RunStep(null, run.Source)], [run.Reading], run.Properties, run.Limits), run.Threads);
                    report = () => CheckCommand.Report(run, CheckCommand.Merge(run, partials), fmt, stdout, stderr);
                    break;
                }
                default:
                {
                    var run = SweepCommand.Rebuild(first.Arguments, stderr);
                    if (run is null || !Unchanged(shards, run.Identity, stderr)) return ExitCodes.Usage;
                    // The steps the sweep explores: a dimension stops before a step with too many inputs to enumerate.
                    var steps = Sweeper.Steps(run.Base, run.Dimensions).Select(s => new RunStep(s.Point.Bounds.ToString(), s.Source)).ToList();
                    (audited, threads) = (new AuditedRun("sweep", steps, run.Readings, run.Properties, run.Limits), run.Threads);
                    report = () => SweepCommand.Merge(run, partials, stderr) is { } result ? SweepCommand.Report(result, fmt, stdout, stderr) : ExitCodes.Usage;
                    break;
                }
            }
            if (ShardAudit.Unfinished(shards) is { } unfinished)
            {
                stderr.WriteLine(unfinished);
                return ExitCodes.Interrupted;
            }
            var shares = audited.Shares(first.Shard.N);
            if (ShardAudit.Check(shards, audited, shares, threads, out var replayed) is { } refusal)
            {
                stderr.WriteLine(refusal);
                return ExitCodes.Usage;
            }
            var rechecked = "";
            if (sample is { } n)
            {
                var s = parse.GetValue(seed) ?? Random.Shared.Next();
                if (ShardRecheck.Run(shards, audited, shares, n, s, threads, out var count) is { } contradiction)
                {
                    stderr.WriteLine(contradiction);
                    return ExitCodes.Usage;
                }
                rechecked = $"; --recheck {n} --seed {s}: {Words.Count(count, "input")} run again, every shard agrees";
            }
            stderr.WriteLine($"klp-check: merge: {Words.Count(shards.Count, "shard")} checked against the run: {replayed}{rechecked}");
            return report();
        });
        return command;
    }

    /// <summary>Reads the partial results of every shard, in shard order; null after one line when one is not a partial result, is missing, duplicated, or from another run or tool version.</summary>
    public static List<(string File, PartialResult Partial)>? Load(IReadOnlyList<string> files, TextWriter stderr)
    {
        var shards = new List<(string File, PartialResult Partial)>();
        foreach (var f in files)
        {
            if (OutputPath.NotRegular(f) is { } problem)
            {
                stderr.WriteLine($"{f}: {problem}");
                return null;
            }
            if (PartialReader.Read(f, out var error) is not { } p)
            {
                stderr.WriteLine(error);
                return null;
            }
            shards.Add((f, p));
        }
        var (file0, first) = shards[0];
        foreach (var (f, p) in shards)
        {
            if (p.Kind != first.Kind)
            {
                stderr.WriteLine($"{f}: merge: a {p.Kind} shard, and {file0} is a {first.Kind} shard");
                return null;
            }
            if (p.Shard.N != first.Shard.N)
            {
                stderr.WriteLine($"{f}: merge: shard {p.Shard} is one of {p.Shard.N}, and {file0} is shard {first.Shard} of {first.Shard.N}");
                return null;
            }
            foreach (var (field, value) in first.Identity)
                if (p.Identity.FirstOrDefault(x => x.Field == field).Value != value)
                {
                    stderr.WriteLine($"{f}: merge: shard {p.Shard} is from a run with other {FieldNames.GetValueOrDefault(field, field)} than {file0} (shard {first.Shard})");
                    return null;
                }
        }
        var seen = new Dictionary<int, string>();
        foreach (var (f, p) in shards)
            if (!seen.TryAdd(p.Shard.K, f))
            {
                stderr.WriteLine($"{f}: merge: duplicate shard {p.Shard} (also {seen[p.Shard.K]})");
                return null;
            }
        for (var k = 1; k <= first.Shard.N; k++)
            if (!seen.ContainsKey(k))
            {
                stderr.WriteLine($"klp-check: merge: missing shard {k}/{first.Shard.N}");
                return null;
            }
        return [.. shards.OrderBy(s => s.Partial.Shard.K)];
    }

    // The run rebuilt here must be the one every shard ran: the same files with the same content, and
    // an identity of exactly these fields.
    private static bool Unchanged(List<(string File, PartialResult Partial)> shards, List<(string Field, string Value)> identity, TextWriter stderr)
    {
        foreach (var (file, partial) in shards)
        {
            if (partial.Identity.FirstOrDefault(x => !identity.Exists(y => y.Field == x.Field)) is { Field: { } extra })
            {
                stderr.WriteLine($"{file}: merge: identity: '{extra}' is not part of the identity of a {partial.Kind} run");
                return false;
            }
            foreach (var (field, value) in identity)
                if (partial.Identity.FirstOrDefault(x => x.Field == field).Value != value)
                {
                    stderr.WriteLine($"{file}: merge: the run rebuilt here has other {FieldNames.GetValueOrDefault(field, field)} than the shards (a file changed or is missing; run merge in the directory the shards ran in)");
                    return false;
                }
        }
        return true;
    }
}

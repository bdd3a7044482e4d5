using System.CommandLine;
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
        var command = new Command("merge", "Combine the partial results of shards 1..N of one compare, check or sweep run into the report, verdicts, shortest traces and exit code of one unsharded run. Report options given here win; otherwise those given to the lowest shard apply. Exit as the unsharded command would (0, 1, 3; a sweep prints text, markdown or json); 2 when a shard is missing, duplicated, from another run or tool version, or a file is not a partial result.")
        {
            files, format, expect, save,
        };
        command.SetAction(parse =>
        {
            var shards = Load(parse.GetValue(files)!, stderr);
            if (shards is null) return ExitCodes.Usage;
            var first = shards[0].Partial;
            string? Option(string name) => parse.GetResult(name) is System.CommandLine.Parsing.OptionResult { Implicit: false } r && r.Tokens.Count > 0
                ? r.Tokens[0].Value
                : first.Report.GetValueOrDefault(name[2..]);
            var fmt = Option("--format") ?? "text";
            var expectFile = Option("--expect");
            var saveFile = Option("--save-baseline");
            var partials = shards.Select(s => s.Partial).ToList();
            if (first.Kind is "check" or "sweep" && (expectFile is not null || saveFile is not null))
            {
                stderr.WriteLine($"klp-check: merge: --expect and --save-baseline are options of compare, and these are {first.Kind} shards");
                return ExitCodes.Usage;
            }
            switch (first.Kind)
            {
                case "compare":
                {
                    var run = CompareCommand.Rebuild(first.Arguments, stderr);
                    if (run is null || !Unchanged(shards[0].File, first, run.Identity, stderr)) return ExitCodes.Usage;
                    var baseline = expectFile is null ? null : CompareCommand.ReadBaseline(expectFile, stderr);
                    if (expectFile is not null && baseline is null) return ExitCodes.Usage;
                    if (saveFile is not null && !OutputPath.CheckFile("--save-baseline", saveFile, stderr)) return ExitCodes.Usage;
                    return CompareCommand.Report(CompareCommand.Merge(run, partials), fmt, baseline, expectFile, saveFile, run.Threads, stdout, stderr);
                }
                case "check":
                {
                    if (fmt == "dot")
                    {
                        stderr.WriteLine("klp-check: merge: --format dot draws one state graph; run check --format dot without --shard");
                        return ExitCodes.Usage;
                    }
                    var run = CheckCommand.Rebuild(first.Arguments, stderr);
                    if (run is null || !Unchanged(shards[0].File, first, run.Identity, stderr)) return ExitCodes.Usage;
                    return CheckCommand.Report(run, CheckCommand.Merge(run, partials), fmt, stdout, stderr);
                }
                case "sweep":
                {
                    if (fmt == "html")
                    {
                        stderr.WriteLine("klp-check: merge: a sweep prints text, markdown or json, not html");
                        return ExitCodes.Usage;
                    }
                    var run = SweepCommand.Rebuild(first.Arguments, stderr);
                    if (run is null || !Unchanged(shards[0].File, first, run.Identity, stderr)) return ExitCodes.Usage;
                    var result = SweepCommand.Merge(run, partials, stderr);
                    return result is null ? ExitCodes.Usage : SweepCommand.Report(result, fmt, stdout, stderr);
                }
                default:
                    stderr.WriteLine($"{shards[0].File}:1:1: merge: partial results of '{first.Kind}' are not known to this version");
                    return ExitCodes.Usage;
            }
        });
        return command;
    }

    /// <summary>Reads the partial results of every shard, in shard order; null after one line when one is not a partial result, is missing, duplicated, or from another run or tool version.</summary>
    public static List<(string File, PartialResult Partial)>? Load(IReadOnlyList<string> files, TextWriter stderr)
    {
        var shards = new List<(string File, PartialResult Partial)>();
        foreach (var f in files)
        {
            if (PartialResult.Read(f, out var error) is not { } p)
            {
                stderr.WriteLine(error);
                return null;
            }
            shards.Add((f, p));
        }
        var (file0, first) = shards[0];
        foreach (var (f, p) in shards)
        {
            if (p.Version != PartialResult.ToolVersion)
            {
                stderr.WriteLine($"{f}: merge: written by klp-check {p.Version}, and this is {PartialResult.ToolVersion}: run every shard and the merge with one version");
                return null;
            }
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

    // The run rebuilt here must be the one the shards ran: the same files with the same content.
    private static bool Unchanged(string file, PartialResult partial, List<(string Field, string Value)> identity, TextWriter stderr)
    {
        foreach (var (field, value) in identity)
            if (partial.Identity.FirstOrDefault(x => x.Field == field).Value != value)
            {
                stderr.WriteLine($"{file}: merge: the run rebuilt here has other {FieldNames.GetValueOrDefault(field, field)} than the shards (a file changed or is missing; run merge in the directory the shards ran in)");
                return false;
            }
        return true;
    }
}

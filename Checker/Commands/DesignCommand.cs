using System.CommandLine.Parsing;
using System.CommandLine;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Properties;
using Klp.Check.Proposals;
using Klp.Check.Reports;
using Klp.Check.Verdicts;

namespace Klp.Check.Commands;

/// <summary><c>klp-check design --require ID,...</c>: the combinations of policies that keep the required invariants, simplest first.</summary>
public static class DesignCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var require = new Option<string[]>("--require") { Description = "the property ids every combination must keep, comma-separated or repeated", Arity = ArgumentArity.OneOrMore };
        var mode = Cli.ModeOption();
        var format = Cli.FormatOption();
        var write = new Option<string?>("--write") { HelpName = "DIR", Description = "write each combination shown to keep the required properties as DIR/design-N.proposal (N: its row); never one a cap left undecided" };
        var input = new InputOptions();
        var command = new Command("design", $"Enumerate combinations of policies (which patches a load replaces, which sets it occupies, the meaning of 0, list arity, the load parameter, isolation, state rules, and on release plans the encoder) and list those that keep every required property within the bounds, simplest first, with the presets they equal. Input: release plans within bounds (default {DesignSpace.DefaultBounds.Releases} releases), --raw catalogs, --catalog or --plan. A combination whose exploration a cap (--max-states, --max-depth, the default state cap) cut before a required property was shown violated is not decided, never kept. Exit 0: some combination keeps them, every exploration exhaustive; 1: every combination breaks one; 2: bad input; 3: a cap cut an exploration and some combination is kept or not decided; 130: interrupted.")
        {
            require, mode, format, write,
        };
        input.AddTo(command);
        command.SetAction(parse =>
        {
            if (parse.GetResult("--invariant") is OptionResult { Implicit: false })
            {
                stderr.WriteLine("klp-check: design: use --require for the properties to keep");
                return ExitCodes.Usage;
            }
            var ids = (parse.GetValue(require) ?? []).SelectMany(i => i.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            if (ids.Count == 0)
            {
                stderr.WriteLine($"klp-check: design: --require is required (known: {string.Join(", ", PropertyRegistry.All.Select(i => i.Id))})");
                return ExitCodes.Usage;
            }
            var required = new List<Property>();
            foreach (var id in ids)
            {
                var inv = PropertyRegistry.Find(id);
                if (inv is null)
                {
                    stderr.WriteLine($"klp-check: --require: unknown property '{id}' (known: {string.Join(", ", PropertyRegistry.All.Select(i => i.Id))})");
                    return ExitCodes.Usage;
                }
                if (!required.Contains(inv)) required.Add(inv);
            }
            required = [.. PropertyRegistry.All.Where(required.Contains)];
            var given = new[] { "--catalog", "--plan", "--bounds", "--raw" }.Any(name => parse.GetResult(name) is OptionResult { Implicit: false });
            var source = given ? input.Source(parse, stderr) : InputSource.Plans(DesignSpace.DefaultBounds);
            if (source is null) return ExitCodes.Usage;
            var granularity = Cli.ParseMode(parse.GetValue(mode)) ?? Granularity.Atomic;
            var directory = parse.GetValue(write);
            if (directory is not null && !CheckWrite(directory, stderr)) return ExitCodes.Usage;

            using var cts = InputOptions.CancelOnCtrlC();
            var progress = InputOptions.Progress(stderr);
            var result = DesignSpace.Explore(source, required, granularity, input.Limits(parse), input.Threads(parse), cts.Token, progress);
            InputOptions.EndProgress(stderr);
            stdout.Write(parse.GetValue(format) switch
            {
                "json" => DesignReport.Json(result),
                "markdown" => DesignReport.Markdown(result),
                _ => DesignReport.Text(result),
            });
            stderr.WriteLine($"klp-check: {result.Points.Count} combinations, {result.States} states in {result.Elapsed.TotalSeconds:F2} s");
            if (directory is not null && result.Complete)
            {
                if (!OutputPath.CreateFolder("--write", directory, stderr)) return ExitCodes.Usage;
                var passing = result.Passing;
                for (var i = 0; i < passing.Count; i++)
                {
                    var path = Path.Combine(directory, $"design-{i + 1}{ProposalFile.Extension}");
                    if (!OutputPath.Write("--write", path, Proposal(result, passing[i], i + 1, [.. required.Select(r => r.Id)]), stderr)) return ExitCodes.Usage;
                }
                stderr.WriteLine($"klp-check: wrote {passing.Count} proposal file{(passing.Count == 1 ? "" : "s")} to {directory}"
                    + (result.Undecided.Count > 0 ? $"; not the {result.Undecided.Count} combinations a cap left undecided" : ""));
            }
            if (!result.Complete) return ExitCodes.Interrupted;
            if (result.Passing.Count == 0 && result.Undecided.Count == 0) return ExitCodes.Failed;
            if (result.Exhaustive) return ExitCodes.Ok;
            stderr.WriteLine($"klp-check: a cap cut the exploration: not exhaustive, {Words.Count(result.Undecided.Count, "combination")} not decided (exit 3)");
            return ExitCodes.Inconclusive;
        });
        return command;
    }

    // Written files never replace anything: a directory of an earlier run is refused before
    // exploring, as is a folder that cannot be created or written, or a design-N.proposal that is
    // not a regular file.
    private static bool CheckWrite(string directory, TextWriter stderr)
    {
        const string pattern = "design-*" + ProposalFile.Extension;
        if (!OutputPath.CheckFolder("--write", directory, stderr) || !OutputPath.CheckFilesIn("--write", directory, pattern, stderr)) return false;
        if (!Directory.Exists(directory) || !Directory.EnumerateFileSystemEntries(directory, pattern).Any()) return true;
        stderr.WriteLine($"klp-check: --write: '{directory}' already holds {pattern} files; remove them or name another directory");
        return false;
    }

    /// <summary>A kept combination as a proposal file named <c>design-N</c>, with comments on where it came from.</summary>
    public static string Proposal(DesignResult result, DesignPoint point, int row, IReadOnlyList<string> required)
    {
        var fixedPolicies = DesignSpace.PolicyKeys.Where(k => (point.Relevant & k.Policy) == 0).Select(k => k.Key).ToList();
        var reading = point.Reading with
        {
            Name = $"design-{row}",
            Description = $"combination {row} of klp-check design: keeps {string.Join(", ", required)}",
            Source = "klp-check design",
            Defaults = point.Reading.Options,
        };
        var comments = new List<string>
        {
            $"Row {row} of klp-check design --require {string.Join(",", required)} on {result.Source.Kind} {result.Source.Bound}.",
        };
        if (fixedPolicies.Count > 0) comments.Add($"Cannot matter on those inputs, so fixed at one value: {string.Join(", ", fixedPolicies)}.");
        if (point.Matches.Count > 0) comments.Add($"Same policies there as: {string.Join(", ", point.Matches)}.");
        return ProposalFile.Write(reading, comments);
    }
}

using System.CommandLine;
using System.CommandLine.Parsing;
using Klp.Check.Model;
using Klp.Check.Proofs;
using Klp.Check.Properties;
using Klp.Check.Reports;
using Klp.Check.Reports.Html;

namespace Klp.Check.Commands;

/// <summary><c>klp-check prove --reading R</c>: the safety properties of one reading for every input of up to N patches, by k-induction (docs/proofs.md).</summary>
public static class ProveCommand
{
    private sealed class Options
    {
        public readonly Option<string> Reading = new("--reading", "-r") { HelpName = "NAME", Description = "the reading to prove, e.g. set, set(states=versions) or my.proposal", Required = true };
        public readonly Option<string[]> Setting = Cli.SettingOption();
        public readonly Option<string?> Mode = Cli.ModeOption();
        public readonly Option<string[]> Property = new("--property", "-p") { HelpName = "ID", Description = "a property to prove; repeat or separate with commas (default: all; liveness properties and witnesses are n/a)", Arity = ArgumentArity.ZeroOrMore };
        public readonly Option<int?> Patches = Cli.NumberOption("--patches", 1, ProofScope.MaxPatches, "N: prove for every input of at most N patches, or N releases of a plan (default 8)");
        public readonly Option<bool> Raw = new("--raw") { Description = "prove for raw catalogs, every attribute free, instead of release plans" };
        public readonly Option<int?> Functions = Cli.NumberOption("--functions", 1, 64, "with --raw, the functions patches draw from (default 3)");
        public readonly Option<int?> SetNumbers = Cli.NumberOption("--set-numbers", 1, 64, "with --raw, the distinct set numbers (0 included) lists and add_sets draw from (default 4)");
        public readonly Option<int?> StateIds = Cli.NumberOption("--state-ids", 1, 32, "with --raw, the state ids patches declare (default 2)");
        public readonly Option<int?> VersionBits = Cli.NumberOption("--version-bits", 1, 32, "with --raw, the bits of a state version (default 2: versions 0 to 3)");
        public readonly Option<string> Solver = new("--solver") { Description = "z3, cvc5, or both (every query to both; a disagreement is an error, exit 70)", DefaultValueFactory = _ => "cvc5" };
        public readonly Option<int?> Timeout = Cli.NumberOption("--timeout", 1, 86_400, "seconds a single solver query may take (default 120); a query that takes longer makes its property unknown");
        public readonly Option<int?> Jobs = Cli.NumberOption("--jobs", 1, 64, "solver sessions answering independent queries at once (default: the number of cores); verdicts do not depend on it");
        public readonly Option<int?> MaxK = Cli.NumberOption("--max-k", 1, 8, "the largest k of k-induction tried (default 3)");
        public readonly Option<int?> Depth = Cli.NumberOption("--depth", 1, 32, "how many operations from the empty kernel the search for a counterexample covers when induction fails (default 6)");
        public readonly Option<string> Format = Cli.FormatOption("html");
        public readonly Option<string?> Traces = new("--traces") { HelpName = "DIR", Description = "write each violation's trace as a scenario file into this folder, for klp-check replay" };

        public Command Command()
        {
            Solver.Validators.Add(result =>
            {
                if (result.Tokens.Count == 0) return;
                var value = result.Tokens[^1].Value;
                if (value is not ("z3" or "cvc5" or "both")) result.AddError($"--solver takes z3, cvc5 or both, not '{value}'");
            });
            var command = new Command("prove", "Prove the safety properties of one reading for every release plan of at most N releases (or, with --raw, every catalog of at most N patches within bounded universes) and every sequence of operations, by k-induction with lemmas proved inductive, solved by z3 or cvc5 (docs/proofs.md). Exit 0 when every property asked is proved (or n/a); 1 when one is violated (with a trace that replays); 3 when one is unknown; 2 on bad input; 4 when a solver is not installed; 70 on an internal error.")
            {
                Reading, Setting, Mode, Property, Patches, Raw, Functions, SetNumbers, StateIds, VersionBits, Solver, Timeout, Jobs, MaxK, Depth, Format, Traces,
            };
            return command;
        }
    }

    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var o = new Options();
        var command = o.Command();
        command.SetAction(parse =>
        {
            var readings = Cli.ParseReadings([parse.GetValue(o.Reading)!], parse.GetValue(o.Setting), stderr);
            if (readings is null) return ExitCodes.Usage;
            var reading = readings[0];
            reading = reading.WithGranularity(Cli.ParseMode(parse.GetValue(o.Mode)) ?? reading.Options.Granularity);
            if (Properties(parse.GetValue(o.Property) ?? [], stderr) is not { } properties) return ExitCodes.Usage;
            var raw = parse.GetValue(o.Raw);
            foreach (var rawOnly in new Option[] { o.Functions, o.SetNumbers, o.StateIds, o.VersionBits })
                if (!raw && parse.GetResult(rawOnly) is OptionResult { Implicit: false })
                {
                    stderr.WriteLine($"klp-check: {rawOnly.Name} bounds raw catalogs: give --raw, or leave it out (a plan has one function per release and state 1)");
                    return ExitCodes.Usage;
                }
            var scope = new ProofScope(parse.GetValue(o.Patches) ?? 8, raw ? InputSpace.Raw : InputSpace.Plans,
                parse.GetValue(o.Functions) ?? 3, parse.GetValue(o.SetNumbers) ?? 4, parse.GetValue(o.StateIds) ?? 2, parse.GetValue(o.VersionBits) ?? 2);
            if (Prover.Unsupported(reading, scope) is { } why)
            {
                stderr.WriteLine($"klp-check: {why}");
                return ExitCodes.Usage;
            }
            if (parse.GetValue(o.Traces) is { } folder && !OutputPath.CheckFolder("--traces", folder, stderr)) return ExitCodes.Usage;
            var choice = parse.GetValue(o.Solver) switch { "z3" => SolverChoice.Z3, "both" => SolverChoice.Both, _ => SolverChoice.Cvc5 };
            var missing = (choice switch { SolverChoice.Z3 => [SolverKind.Z3], SolverChoice.Cvc5 => [SolverKind.Cvc5], _ => new[] { SolverKind.Z3, SolverKind.Cvc5 } })
                .Where(k => SolverProcess.Find(k) is null).Select(SolverProcess.Program).ToList();
            if (missing.Count > 0)
            {
                stderr.WriteLine($"klp-check: {string.Join(" and ", missing)} not found on PATH; install with: apt-get install {string.Join(" ", missing)}");
                return ExitCodes.Unavailable;
            }
            var options = new ProverOptions(choice, (parse.GetValue(o.Timeout) ?? 120) * 1000, parse.GetValue(o.MaxK) ?? 3, parse.GetValue(o.Depth) ?? 6, parse.GetValue(o.Jobs) ?? Environment.ProcessorCount);

            var progress = InputOptions.Progress(stderr);
            ReadingProof result;
            try
            {
                result = ReadingProof.Run(reading, scope, options, properties, progress);
            }
            catch (Exception e) when (e is ProofInternalError or SolverDisagreement or SolverException)
            {
                InputOptions.EndProgress(stderr);
                stderr.WriteLine($"klp-check: internal error: {e.Message}");
                return ExitCodes.InternalError;
            }
            InputOptions.EndProgress(stderr);
            stdout.Write((parse.GetValue(o.Format) ?? "text") switch
            {
                "json" => ProofReport.Json(result),
                "markdown" => ProofReport.Markdown(result),
                "html" => ProofPage.Render(result),
                _ => ProofReport.Text(result),
            });
            stderr.WriteLine(FormattableString.Invariant($"klp-check: {result.Verdicts.Count(v => v.Outcome != ProofOutcome.NotApplicable)} properties of {reading.DisplayName} in {result.Elapsed.TotalSeconds:F1} s ")
                + FormattableString.Invariant($"(lemmas {result.LemmaTime.TotalSeconds:F1} s, solver processor time {result.SolverCpu.TotalSeconds:F1} s, {scope})"));
            if (parse.GetValue(o.Traces) is { } dir
                && !CheckCommand.WriteTraces(dir, result.Verdicts.Where(v => v.Outcome == ProofOutcome.Violated).Select(v => v.AsCheckVerdict()), stderr))
                return ExitCodes.Usage;
            return result.ExitCode;
        });
        return command;
    }

    // The properties asked for, in registry order; null after one line naming an unknown id.
    private static IReadOnlyList<Property>? Properties(IReadOnlyList<string> given, TextWriter stderr)
    {
        if (given.Count == 0) return PropertyRegistry.All;
        var ids = given.SelectMany(g => g.Split(',', StringSplitOptions.TrimEntries)).ToList();
        var known = string.Join(", ", PropertyRegistry.All.Select(i => i.Id));
        foreach (var id in ids)
        {
            if (id.Length == 0)
            {
                stderr.WriteLine($"klp-check: --property: empty property id (known: {known})");
                return null;
            }
            if (PropertyRegistry.Find(id) is null)
            {
                stderr.WriteLine($"klp-check: --property: unknown property '{id}' (known: {known})");
                return null;
            }
        }
        return [.. PropertyRegistry.All.Where(i => ids.Contains(i.Id))];
    }
}

using System.CommandLine;
using Klp.Check.Conformance;
using Klp.Check.Export;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Scenarios;

namespace Klp.Check.Commands;

/// <summary><c>klp-check export --promela --catalog FILE --reading R</c>: the catalog under one reading as a model for another checker.</summary>
public static class ExportCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var promela = new Option<bool>("--promela") { Description = "write a Promela model for SPIN (atomic mode; docs/promela.md)" };
        var catalog = new Option<string>("--catalog") { HelpName = "FILE", Description = "the scenario file whose catalog (patches and add_sets values) is exported", Required = true };
        var reading = new Option<string>("--reading", "-r") { HelpName = "NAME", Description = "the reading, e.g. flat or set(states=versions)", Required = true };
        var setting = Cli.SettingOption();
        var mode = Cli.ModeOption();
        var output = new Option<string?>("--out") { HelpName = "FILE", Description = "write the model into this file (a new or regular file) instead of standard output" };
        var command = new Command("export", "Write a catalog under one reading as a model for another checker: --promela for SPIN, whose stored state count equals klp-check's. Exit 0 when written; 2 on bad input or what the export cannot express.")
        {
            promela, catalog, reading, setting, mode, output,
        };
        command.SetAction(parse =>
        {
            if (!parse.GetValue(promela))
            {
                stderr.WriteLine("klp-check: export: give the format, --promela");
                return ExitCodes.Usage;
            }
            var readings = Cli.ParseReadings([parse.GetValue(reading)!], parse.GetValue(setting), stderr);
            if (readings is null) return ExitCodes.Usage;
            var r = readings[0];
            if (Cli.ParseMode(parse.GetValue(mode)) is { } g) r = r.WithGranularity(g);
            var outPath = parse.GetValue(output);
            if (outPath is not null && !OutputPath.CheckFile("--out", outPath, stderr)) return ExitCodes.Usage;
            var file = parse.GetValue(catalog)!;
            Catalog c;
            try
            {
                c = ScenarioParser.ParseFile(file).Catalog;
            }
            catch (InputException e)
            {
                foreach (var d in e.Diagnostics) stderr.WriteLine(d);
                return ExitCodes.Usage;
            }
            if (Promela.Unsupported(c, r) is { } why)
            {
                stderr.WriteLine($"klp-check: export --promela: {r.DisplayName}: {why}");
                return ExitCodes.Usage;
            }
            var text = Promela.Write(c, r, file);
            if (outPath is null) stdout.Write(text);
            else if (!OutputPath.Write("--out", outPath, text, stderr)) return ExitCodes.Usage;
            return ExitCodes.Ok;
        });
        return command;
    }
}

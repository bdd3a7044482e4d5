using System.CommandLine;
using System.Text;
using Klp.Check.Model;
using Klp.Check.Proposals;
using Klp.Check.Reports;

namespace Klp.Check.Commands;

/// <summary><c>klp-check readings [NAME|FILE...]</c>: readings as proposal files, with what they mean, their policies, options and source.</summary>
public static class ReadingsCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var names = new Argument<string[]>("READING") { Description = "built-in readings or proposal files (docs/proposals.md), with options as NAME(option=value,...) (none: every built-in reading)", Arity = ArgumentArity.ZeroOrMore };
        var setting = Cli.SettingOption();
        var format = Cli.FormatOption();
        var command = new Command("readings", "Print readings (replace proposals) in the proposal file format: what each means, the fields it reads, its policies and options, and where in the discussion it comes from. The text output is a set of proposal files: any block of it saved as NAME.proposal is that reading. Exit 0; 2: bad input.")
        {
            names, setting, format,
        };
        command.SetAction(parse =>
        {
            var readings = Cli.ParseReadings(parse.GetValue(names), parse.GetValue(setting), stderr);
            if (readings is null) return ExitCodes.Usage;
            stdout.Write(Render(readings, parse.GetValue(format) ?? "text"));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Readings in a format: text is proposal files separated by blank lines.</summary>
    public static string Render(IReadOnlyList<Reading> readings, string format)
    {
        var sb = new StringBuilder();
        switch (format)
        {
            case "json":
                sb.Append(JsonReport.Write("readings", w =>
                {
                    w.WriteStartArray("readings");
                    foreach (var r in readings)
                    {
                        w.WriteStartObject();
                        foreach (var key in ProposalText.TextKeys)
                        {
                            if (key == "parameter" && r.ParameterName is null) w.WriteNull(key);
                            else w.WriteString(key, ProposalText.Value(r, key));
                        }
                        w.WriteStartObject("policies");
                        foreach (var (key, _) in ProposalText.PolicyKeys) w.WriteString(key, ProposalText.Value(r, key));
                        w.WriteEndObject();
                        w.WriteStartObject("options");
                        foreach (var (key, _) in ReadingOptionText.Options) w.WriteString(key, ProposalText.Value(r, key));
                        w.WriteEndObject();
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }));
                break;
            case "markdown":
                sb.AppendLine("| reading | meaning | fields | load parameter | policies | options | source |");
                sb.AppendLine("|---|---|---|---|---|---|---|");
                foreach (var r in readings)
                {
                    var policies = string.Join(", ", ProposalText.PolicyKeys.Select(k => $"{k.Key}: {ProposalText.Value(r, k.Key)}"));
                    var options = string.Join(", ", ReadingOptionText.Options.Take(2).Select(o => $"{o.Name}: {ProposalText.Value(r, o.Name)}"));
                    sb.AppendLine($"| {MarkdownText.CellCode(r.DisplayName)} | {MarkdownText.Plain(r.Description)} | {MarkdownText.CellCode(r.Fields)} | {(r.ParameterName is null ? "none" : MarkdownText.CellCode(r.ParameterName))} | {policies} | {options} | {MarkdownText.Plain(r.Source)} |");
                }
                break;
            default:
                foreach (var r in readings)
                {
                    sb.Append(ProposalFile.Write(r));
                    sb.AppendLine();
                }
                foreach (var line in TextLayout.Wrap($"{readings.Count} reading{(readings.Count == 1 ? "" : "s")}. Each block above, saved as NAME.proposal, is that reading (docs/proposals.md); options can be set on any reading as NAME(option=value,...) or with --option.".Split(' '), "# "))
                    sb.AppendLine(line);
                break;
        }
        return sb.ToString();
    }
}

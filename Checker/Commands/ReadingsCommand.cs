using System.CommandLine;
using System.Text;
using System.Text.Json;
using Klp.Check.Model;
using Klp.Check.Output;

namespace Klp.Check.Commands;

/// <summary><c>klp-check readings</c>: every reading with what it reads, its default options and its source.</summary>
public static class ReadingsCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create(TextWriter stdout)
    {
        var format = Cli.FormatOption();
        var command = new Command("readings", "List the readings (replace proposals): what each means, the fields it reads, its default options and where in the discussion it comes from.")
        {
            format,
        };
        command.SetAction(parse =>
        {
            stdout.Write(Render(parse.GetValue(format) ?? "text"));
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>The listing in a format.</summary>
    public static string Render(string format)
    {
        var sb = new StringBuilder();
        switch (format)
        {
            case "json":
                sb.Append(JsonReport.Write("readings", w =>
                {
                    w.WriteStartArray("readings");
                    foreach (var r in Readings.All)
                    {
                        w.WriteStartObject();
                        w.WriteString("name", r.Name);
                        w.WriteString("section", r.Section);
                        w.WriteString("description", r.Description);
                        w.WriteString("fields", r.Fields);
                        if (r.ParameterName is null) w.WriteNull("parameter");
                        else w.WriteString("parameter", r.ParameterName);
                        w.WriteStartObject("options");
                        foreach (var s in ReadingOptionText.Format(r.Options))
                            w.WriteString(s[..s.IndexOf('=')], s[(s.IndexOf('=') + 1)..]);
                        w.WriteEndObject();
                        w.WriteString("source", r.Source);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }));
                break;
            case "markdown":
                sb.AppendLine("| reading | docs/semantics.md | meaning | fields | load parameter | default options | source |");
                sb.AppendLine("|---|---|---|---|---|---|---|");
                foreach (var r in Readings.All)
                    sb.AppendLine($"| `{r.Name}` | {r.Section} | {r.Description} | `{r.Fields}` | {(r.ParameterName is null ? "none" : $"`{r.ParameterName}`")} | {string.Join(", ", ReadingOptionText.Format(r.Options))} | {r.Source} |");
                break;
            default:
                foreach (var r in Readings.All)
                {
                    sb.AppendLine($"{r.Name} (docs/semantics.md {r.Section})");
                    foreach (var line in TextLayout.Wrap(r.Description.Split(' '), "  ")) sb.AppendLine(line);
                    sb.AppendLine($"  fields: {r.Fields}; load parameter: {r.ParameterName ?? "none"}");
                    foreach (var line in TextLayout.Wrap(("defaults: " + string.Join(", ", ReadingOptionText.Format(r.Options))).Split(' '), "  ")) sb.AppendLine(line);
                    foreach (var line in TextLayout.Wrap(("from: " + r.Source).Split(' '), "  ")) sb.AppendLine(line);
                    sb.AppendLine();
                }
                foreach (var line in TextLayout.Wrap($"{Readings.All.Count} readings. Every option can be set on every reading: NAME(option=value,...) or --option option=value.".Split(' '), ""))
                    sb.AppendLine(line);
                break;
        }
        return sb.ToString();
    }
}

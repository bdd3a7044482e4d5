using System.CommandLine.Parsing;
using System.CommandLine;
using System.Text;
using Klp.Check.Conformance;
using Klp.Check.Shards;

namespace Klp.Check.Commands;

/// <summary>The options <c>--shard K/N</c> and <c>--out FILE</c> of <c>compare</c> and <c>check</c>: run one share of the inputs and write its partial result for <c>merge</c>.</summary>
public sealed class ShardOptions
{
    private readonly Option<string?> shard = new("--shard") { HelpName = "K/N", Description = "check only shard K of N (a share of the inputs balanced by estimated cost) and write the partial result to --out FILE for klp-check merge (docs/scale-out.md)" };
    private readonly Option<string?> output = new("--out") { HelpName = "FILE", Description = "write the partial result (JSON, docs/json.md) here instead of a report; without --shard, shard 1/1" };

    // Options that do not change what a run finds; merge takes the report options from its own command line only.
    private static readonly HashSet<string> NotRecorded = ["--shard", "--out", "--format", "-f", "--expect", "--save-baseline", "--threads", "--traces"];

    // What a report is written as and held to: options of merge, which a shard refuses.
    private static readonly string[] ReportOptions = ["--format", "--expect", "--save-baseline"];

    /// <summary>Adds the options to a command.</summary>
    public void AddTo(Command command)
    {
        command.Options.Add(shard);
        command.Options.Add(output);
    }

    /// <summary>True when the command runs as a shard (<c>--shard</c> or <c>--out</c> given).</summary>
    public bool Given(ParseResult parse) => parse.GetValue(shard) is not null || parse.GetValue(output) is not null;

    /// <summary>The shard and its output file, or null with one line on bad usage.</summary>
    public (Shard Shard, string Out)? Parse(ParseResult parse, TextWriter stderr)
    {
        var text = parse.GetValue(shard);
        var file = parse.GetValue(output);
        if (file is null)
        {
            stderr.WriteLine("klp-check: --shard needs --out FILE, where the partial result goes");
            return null;
        }
        foreach (var name in ReportOptions)
            if (parse.GetResult(name) is OptionResult { Implicit: false })
            {
                stderr.WriteLine($"klp-check: {name}: a shard writes only its partial result (--out FILE); give {name} to klp-check merge");
                return null;
            }
        var s = Shard.All;
        if (text is not null)
        {
            if (Shard.Parse(text, out var error) is not { } parsed)
            {
                stderr.WriteLine($"klp-check: --shard: {error}");
                return null;
            }
            s = parsed;
        }
        if (!OutputPath.CheckFile("--out", file, stderr)) return null;
        return (s, file);
    }

    /// <summary>The arguments of a parsed command line without the shard, output and report options: what merge parses again to rebuild the run.</summary>
    public static List<string> Recorded(ParseResult parse)
    {
        var list = new List<string>();
        var skip = false;
        foreach (var t in parse.Tokens)
        {
            if (t.Type == TokenType.Command) continue;
            if (t.Type == TokenType.Option)
            {
                skip = NotRecorded.Contains(t.Value);
                if (!skip) list.Add(t.Value);
            }
            else if (!skip) list.Add(t.Value);
        }
        return list;
    }

    /// <summary>The first option in a shard's recorded arguments that a shard never records (report, output and shard options), or null.</summary>
    public static string? Unrecorded(IEnumerable<string> arguments) => arguments.FirstOrDefault(NotRecorded.Contains);

    /// <summary>Writes a partial result and its one-line summary on stderr; false (with one line) when the file cannot be written.</summary>
    public static bool Write(PartialResult partial, string file, int inputs, int total, long states, TimeSpan elapsed, TextWriter stderr)
    {
        var text = partial.Write();
        if (Encoding.UTF8.GetByteCount(text) > PartialReader.MaxBytes)
        {
            stderr.WriteLine($"klp-check: --out: the partial result of shard {partial.Shard} is larger than {PartialReader.MaxBytes >> 20} MiB, the most merge reads; split the run into more shards");
            return false;
        }
        if (!OutputPath.Write("--out", file, text, stderr)) return false;
        stderr.WriteLine($"klp-check: shard {partial.Shard}: {inputs} of {Words.Count(total, "input")}, {states} states in {elapsed.TotalSeconds:F2} s; wrote {file}");
        return true;
    }

    /// <summary>Parses a shard's recorded arguments again with its command; null after one line when they do not parse.</summary>
    public static ParseResult? Reparse(Command command, IReadOnlyList<string> arguments, TextWriter stderr)
    {
        var parse = command.Parse(arguments);
        if (parse.Errors.Count == 0) return parse;
        stderr.WriteLine($"klp-check: merge: the recorded arguments do not parse: {parse.Errors[0].Message}");
        return null;
    }
}

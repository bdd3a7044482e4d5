using System.CommandLine;
using System.CommandLine.Parsing;
using Klp.Check.Model;

namespace Klp.Check.Commands;

/// <summary>Exit codes of every command.</summary>
public static class ExitCodes
{
    /// <summary>Everything expected holds.</summary>
    public const int Ok = 0;
    /// <summary>An expectation, invariant or baseline verdict failed.</summary>
    public const int Failed = 1;
    /// <summary>Bad input or usage.</summary>
    public const int Usage = 2;
    /// <summary>Nothing failed, but a cap cut an exploration and some verdict is inconclusive.</summary>
    public const int Inconclusive = 3;
    /// <summary>Interrupted with Ctrl-C.</summary>
    public const int Interrupted = 130;
}

/// <summary>The <c>klp-check</c> command line.</summary>
public static class Cli
{
    /// <summary>Parses and runs a command line; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        stdout ??= Console.Out;
        stderr ??= Console.Error;
        var root = new RootCommand("klp-check: replays and model-checks Linux livepatch replace proposals.")
        {
            ReplayCommand.Create(stdout, stderr),
            ReadingsCommand.Create(stdout),
            CheckCommand.Create(stdout, stderr),
            CompareCommand.Create(stdout, stderr),
            DiffCommand.Create(stdout, stderr),
            DesignCommand.Create(stdout, stderr),
        };
        var config = new ParserConfiguration();
        var parse = root.Parse(args, config);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) stderr.WriteLine($"klp-check: {e.Message}");
            stderr.WriteLine("Try 'klp-check --help'.");
            return ExitCodes.Usage;
        }
        return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr });
    }

    /// <summary>The <c>--reading</c> option shared by every command.</summary>
    public static Option<string[]> ReadingOption() => new("--reading", "-r")
    {
        HelpName = "NAME",
        Description = "a reading, e.g. flat or set(states=versions); repeat for several (default: every reading)",
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary>The <c>--mode</c> option shared by every command.</summary>
    public static Option<string?> ModeOption()
    {
        var o = new Option<string?>("--mode") { Description = "atomic or two-phase transitions (default: the file's mode, else atomic)" };
        o.AcceptOnlyFromAmong("atomic", "two-phase");
        return o;
    }

    /// <summary>The <c>--format</c> option shared by every command.</summary>
    public static Option<string> FormatOption()
    {
        var o = new Option<string>("--format", "-f") { Description = "text (fits an 80-column email), markdown or json", DefaultValueFactory = _ => "text" };
        o.AcceptOnlyFromAmong("text", "markdown", "json");
        return o;
    }

    /// <summary>The <c>--option</c> setting shared by every command: applied to every reading.</summary>
    public static Option<string[]> SettingOption() => new("--option", "-o")
    {
        HelpName = "NAME=VALUE",
        Description = "a policy option for every reading: isolation=functions+states|functions-only|none, states=versions|block-disable, function-identity=normalized|exact, partial-overlap=refuse|replace",
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary>Parses the readings and settings a user gave; null with a message on bad input.</summary>
    public static List<Reading>? ParseReadings(IEnumerable<string>? names, IEnumerable<string>? settings, TextWriter stderr)
    {
        var list = new List<Reading>();
        var given = names?.ToList() ?? [];
        var defaultAll = given.Count == 0;
        foreach (var name in defaultAll ? Readings.All.Select(r => r.Name) : given)
        {
            var reading = Readings.Parse(name, out var error);
            if (reading is null)
            {
                stderr.WriteLine($"klp-check: --reading: {error}");
                return null;
            }
            var o = reading.Options;
            foreach (var s in settings ?? [])
            {
                if (!ReadingOptionText.TryApply(ref o, s, out var err))
                {
                    stderr.WriteLine($"klp-check: --option: {err}");
                    return null;
                }
            }
            list.Add(reading.With(o));
        }
        return list;
    }

    /// <summary>Parses <c>--mode</c>.</summary>
    public static Granularity? ParseMode(string? mode) => mode switch
    {
        "atomic" => Granularity.Atomic,
        "two-phase" => Granularity.TwoPhase,
        _ => null,
    };
}

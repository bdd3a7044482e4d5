using System.CommandLine.Parsing;
using System.CommandLine;
using System.Globalization;
using System.Numerics;
using Klp.Check.Inputs;
using Klp.Check.Model;
using Klp.Check.Proposals;

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
    /// <summary><c>conform</c>: the kernel, its headers, QEMU or busybox is missing (the message gives the install command).</summary>
    public const int Unavailable = 4;
    /// <summary><c>prove</c>: a counterexample did not replay, or the two solvers disagreed (EX_SOFTWARE of sysexits.h): an error of the tool, never a verdict.</summary>
    public const int InternalError = 70;
    /// <summary>Writing to standard output or standard error failed (EX_IOERR of sysexits.h): a full disk, a closed descriptor or pipe.</summary>
    public const int IoError = 74;
    /// <summary>Interrupted with Ctrl-C.</summary>
    public const int Interrupted = 130;
}

/// <summary>The <c>klp-check</c> command line.</summary>
public static class Cli
{
    /// <summary>Parses and runs a command line; returns the exit code.</summary>
    /// <remarks>A failed write to standard output is one line on standard error and <see cref="ExitCodes.IoError"/>; a failed write to standard error is <see cref="ExitCodes.IoError"/> alone.</remarks>
    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        var output = new StandardStream(stdout ?? Console.Out, "standard output", escape: true, colour: stdout is null && Terminal.Detect().Colour);
        var error = new StandardStream(stderr ?? Console.Error, "standard error", escape: false);
        var messages = new MessageWriter(error);
        try
        {
            try
            {
                return Run(args, output, messages);
            }
            finally
            {
                messages.Flush();
            }
        }
        catch (StandardStreamException e)
        {
            if (e.Stream != "standard error")
            {
                try
                {
                    error.Inner.WriteLine(MessageWriter.Clean($"klp-check: {e.Message}"));
                    error.Inner.Flush();
                }
                catch (Exception f) when (f is IOException or UnauthorizedAccessException or ObjectDisposedException)
                {
                    // Standard error failed too: the exit code is all that is left.
                }
            }
            return ExitCodes.IoError;
        }
    }

    private static int Run(string[] args, TextWriter stdout, MessageWriter stderr)
    {
        var parse = Parse(args, stdout, stderr);
        if (parse.Errors.Count > 0)
        {
            stderr.WriteLine($"klp-check: {UsageError(parse)} (see klp-check --help)");
            return ExitCodes.Usage;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is not StandardStreamException)
        {
            // What System.CommandLine's own handler prints, through the guarded writer.
            stderr.WriteLine($"Unhandled exception: {e}");
            return ExitCodes.Failed;
        }
    }

    // One line for a command line the parser refuses: an unknown command names the commands, and
    // the first other error stands for the rest.
    private static string UsageError(ParseResult parse)
    {
        if (parse.CommandResult.Command is RootCommand root && parse.UnmatchedTokens.Count > 0)
        {
            var token = parse.UnmatchedTokens[0];
            return $"unknown {(token.StartsWith('-') ? "option" : "command")} '{token}' (commands: {string.Join(", ", root.Subcommands.Select(c => c.Name))})";
        }
        return parse.Errors[0].Message;
    }

    /// <summary>Parses a command line with every command of the tool without running it: the errors <see cref="Run(string[], TextWriter?, TextWriter?)"/> would report, none when it would run the command.</summary>
    /// <remarks>Used to check command lines written elsewhere (docs/scale-out.md and its recipes) against the real parser.</remarks>
    public static ParseResult Parse(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        stdout ??= TextWriter.Null;
        stderr ??= TextWriter.Null;
        var root = new RootCommand("klp-check: replays and model-checks Linux livepatch replace proposals.")
        {
            ReplayCommand.Create(stdout, stderr),
            ReadingsCommand.Create(stdout, stderr),
            CheckCommand.Create(stdout, stderr),
            CompareCommand.Create(stdout, stderr),
            MergeCommand.Create(stdout, stderr),
            DiffCommand.Create(stdout, stderr),
            SweepCommand.Create(stdout, stderr),
            DesignCommand.Create(stdout, stderr),
            ConformCommand.Create(stdout, stderr),
            ExportCommand.Create(stdout, stderr),
            ExploreCommand.Create(stdout, stderr),
            ProveCommand.Create(stdout, stderr),
        };
        // Help wraps at 80 columns even when piped (a pipe has no width).
        foreach (var help in root.Options.OfType<System.CommandLine.Help.HelpOption>())
            help.Action = new System.CommandLine.Help.HelpAction { MaxWidth = TextLayout.Width };
        var config = new ParserConfiguration();
        return root.Parse(args, config);
    }

    /// <summary>The <c>--reading</c> option shared by every command.</summary>
    public static Option<string[]> ReadingOption() => new("--reading", "-r")
    {
        HelpName = "NAME",
        Description = "a reading, e.g. flat, set(states=versions) or my.proposal (docs/proposals.md); repeat for several (default: every reading)",
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary>The <c>--mode</c> option shared by every command.</summary>
    public static Option<string?> ModeOption()
    {
        var o = new Option<string?>("--mode") { Description = "atomic or two-phase transitions (default: the file's mode, else atomic)" };
        o.AcceptOnlyFromAmong("atomic", "two-phase");
        return o;
    }

    /// <summary>The <c>--format</c> option shared by every command: text, markdown, json, and the formats a command adds (html, dot).</summary>
    public static Option<string> FormatOption(params string[] more)
    {
        var description = "text (fits an 80-column email), markdown" + string.Concat(more.Select(m => ", " + m)) + " or json";
        var o = new Option<string>("--format", "-f") { Description = description, DefaultValueFactory = _ => "text" };
        o.AcceptOnlyFromAmong(["text", "markdown", "json", .. more]);
        return o;
    }

    /// <summary>The <c>--graph-limit</c> option of the commands that draw state graphs (<c>--format dot</c>).</summary>
    public static Option<int> GraphLimitOption() => new("--graph-limit")
    {
        HelpName = "N",
        Description = $"with --format dot, the most states drawn (default {Reports.DotGraph.DefaultLimit}); a larger graph is refused",
        DefaultValueFactory = _ => Reports.DotGraph.DefaultLimit,
    };

    /// <summary>The <c>--option</c> setting shared by every command: applied to every reading.</summary>
    public static Option<string[]> SettingOption() => new("--option", "-o")
    {
        HelpName = "NAME=VALUE",
        Description = "a policy option for every reading: isolation=functions+states|functions-only|none, states=versions|block-disable, function-identity=normalized|exact, partial-overlap=refuse|replace",
        Arity = ArgumentArity.ZeroOrMore,
    };

    /// <summary>A whole-number option that refuses anything but a number from <paramref name="min"/> to <paramref name="max"/>, with one line naming the range (never a .NET type name).</summary>
    public static Option<T?> NumberOption<T>(string name, T min, T max, string description) where T : struct, IBinaryInteger<T>, IMinMaxValue<T>
    {
        var range = max == T.MaxValue ? $"a whole number of at least {min}" : $"a whole number from {min} to {max}";
        return new Option<T?>(name)
        {
            HelpName = "N",
            Description = description,
            CustomParser = result =>
            {
                var token = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
                if (T.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
                result.AddError($"{name} takes {range}, not '{token}'");
                return null;
            },
        };
    }

    /// <summary>Parses the readings and settings a user gave; null with a message on bad input. A setting overridden by a later one of the same option is a warning.</summary>
    /// <param name="names">Readings as given: names or proposal files, each with options; none for every built-in reading.</param>
    /// <param name="settings">The <c>--option</c> settings, applied to every reading.</param>
    /// <param name="stderr">Where bad input is reported.</param>
    /// <param name="proposals">Further readings (<c>--proposals DIR</c>), after the named ones.</param>
    public static List<Reading>? ParseReadings(IEnumerable<string>? names, IEnumerable<string>? settings, TextWriter stderr, IReadOnlyList<Reading>? proposals = null)
    {
        var settingList = settings?.ToList() ?? [];
        for (var i = 0; i < settingList.Count; i++)
        {
            var key = settingList[i].Split('=')[0].Trim();
            var later = settingList.Skip(i + 1).FirstOrDefault(s => s.Split('=')[0].Trim() == key);
            if (later is not null) stderr.WriteLine($"klp-check: warning: --option {settingList[i]} is overridden by the later --option {later}");
        }
        var list = new List<Reading>();
        var given = names?.ToList() ?? [];
        var defaultAll = given.Count == 0;
        var parsed = new List<Reading>();
        foreach (var name in defaultAll ? Readings.All.Select(r => r.Name) : given)
        {
            Reading? reading;
            string? error;
            try
            {
                reading = ProposalFile.Resolve(name, null, out error);
            }
            catch (InputException e)
            {
                foreach (var d in e.Diagnostics) stderr.WriteLine(d);
                return null;
            }
            if (reading is null)
            {
                stderr.WriteLine($"klp-check: --reading: {error}");
                return null;
            }
            parsed.Add(reading);
        }
        foreach (var reading in parsed.Concat(proposals ?? []))
        {
            var o = reading.Options;
            foreach (var s in settings ?? [])
            {
                if (!ReadingOptionText.TryApply(ref o, s, out var err))
                {
                    stderr.WriteLine($"klp-check: --option: {err}");
                    return null;
                }
            }
            var r = reading.With(o);
            if (list.Any(x => x.Name == r.Name && x.With(r.Options) != r))
            {
                stderr.WriteLine($"klp-check: --reading: two different readings are named '{r.Name}'");
                return null;
            }
            // A reading checked twice would be two columns of one name, which no baseline can tell apart.
            if (list.Any(x => x.DisplayName == r.DisplayName))
            {
                stderr.WriteLine($"klp-check: --reading: '{r.DisplayName}' is given twice");
                return null;
            }
            list.Add(r);
        }
        return list;
    }

    /// <summary>The readings with the mode of <c>--mode</c>; unchanged when it is not given (each keeps its file's mode).</summary>
    public static List<Reading> WithMode(IEnumerable<Reading> readings, string? mode) =>
        [.. readings.Select(r => r.WithGranularity(ParseMode(mode) ?? r.Options.Granularity))];

    /// <summary>Parses <c>--mode</c>.</summary>
    public static Granularity? ParseMode(string? mode) => mode switch
    {
        "atomic" => Granularity.Atomic,
        "two-phase" => Granularity.TwoPhase,
        _ => null,
    };
}

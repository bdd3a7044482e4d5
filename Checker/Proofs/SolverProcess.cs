using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;

namespace Klp.Check.Proofs;

/// <summary>The SMT solvers <c>prove</c> runs as processes, and the Debian packages that ship them.</summary>
public enum SolverKind
{
    /// <summary>Z3 (<c>apt-get install z3</c>).</summary>
    Z3,
    /// <summary>cvc5 (<c>apt-get install cvc5</c>).</summary>
    Cvc5,
}

/// <summary>A solver's answer to <c>check-sat</c>.</summary>
public enum SatAnswer
{
    /// <summary>Satisfiable: a model exists.</summary>
    Sat,
    /// <summary>Unsatisfiable.</summary>
    Unsat,
    /// <summary>The solver gave up, timed out, or its process ended.</summary>
    Unknown,
}

/// <summary>A solver said something that is not an answer to the script it was given: an error in the script or in the solver, never a verdict.</summary>
public sealed class SolverException(string message) : Exception(message);

/// <summary>One solver binary driven over stdin/stdout with SMT-LIB2 text: commands go in, <c>check-sat</c> and <c>get-value</c> answers come back, each query under a timeout.</summary>
/// <remarks>
/// The solver's own per-query limit (<c>:timeout</c> for Z3, <c>--tlimit-per</c> for cvc5) makes it
/// answer <c>unknown</c>; if no answer comes within that limit plus a grace period the process is
/// killed and every later query of this process is <see cref="SatAnswer.Unknown"/>.
/// </remarks>
public sealed class SolverProcess : IDisposable
{
    private readonly Process process;
    private readonly StreamWriter input;
    private readonly BlockingCollection<string> lines = [];
    // The output reader's events may arrive after WaitForExit(ms) returns (the documented behaviour with
    // asynchronous reads), so they take this lock and stop touching the lines once they are disposed.
    private readonly Lock gate = new();
    private bool closed;
    private readonly int timeoutMs;
    private bool dead;

    /// <summary>Which solver this is.</summary>
    public SolverKind Kind { get; }

    /// <summary>The program name on PATH.</summary>
    public static string Program(SolverKind kind) => kind == SolverKind.Z3 ? "z3" : "cvc5";

    /// <summary>The full path of the solver's program on PATH, or null when it is not installed.</summary>
    public static string? Find(SolverKind kind)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        foreach (var dir in dirs)
        {
            var path = Path.Combine(dir, Program(kind));
            if (File.Exists(path)) return path;
        }
        return null;
    }

    /// <summary>Starts a solver; <paramref name="timeoutMs"/> bounds each <c>check-sat</c>.</summary>
    /// <exception cref="SolverException">The program is not installed or does not start.</exception>
    public SolverProcess(SolverKind kind, int timeoutMs)
    {
        Kind = kind;
        this.timeoutMs = timeoutMs;
        var path = Find(kind) ?? throw new SolverException($"{Program(kind)} not found on PATH (apt-get install {Program(kind)})");
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (kind == SolverKind.Z3)
        {
            info.ArgumentList.Add("-in");
            info.ArgumentList.Add("-smt2");
        }
        else
        {
            foreach (var a in new[] { "--lang", "smt2", "--incremental", "--produce-models", "--bitblast=eager", $"--tlimit-per={timeoutMs}" })
                info.ArgumentList.Add(a);
        }
        process = Process.Start(info) ?? throw new SolverException($"{Program(kind)} did not start");
        process.OutputDataReceived += (_, e) =>
        {
            lock (gate)
            {
                if (closed || lines.IsAddingCompleted) return;
                if (e.Data is null) lines.CompleteAdding();
                else lines.Add(e.Data);
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        input = new StreamWriter(process.StandardInput.BaseStream, new UTF8Encoding(false), 1 << 16) { AutoFlush = false, NewLine = "\n" };
        Send("(set-option :print-success false)");
        Send("(set-option :produce-models true)");
        if (kind == SolverKind.Z3) Send($"(set-option :timeout {timeoutMs})");
        Send("(set-logic QF_BV)");
    }

    /// <summary>The processor time the solver used so far (its process's user and system time).</summary>
    public TimeSpan CpuTime
    {
        get
        {
            try
            {
                if (!process.HasExited) lastCpu = process.TotalProcessorTime;
            }
            catch (InvalidOperationException)
            {
                // Gone: the last reading stands.
            }
            return lastCpu;
        }
    }

    private TimeSpan lastCpu;

    /// <summary>True once the process was killed or ended: every later query is unknown.</summary>
    public bool Dead => dead;

    /// <summary>Sends commands without waiting for anything.</summary>
    public void Send(string commands)
    {
        if (dead) return;
        try
        {
            input.Write(commands);
            input.Write('\n');
        }
        catch (IOException)
        {
            dead = true;
        }
    }

    /// <summary>Sends <c>check-sat</c> (without waiting; see <see cref="ReadAnswer"/>).</summary>
    public void StartCheck()
    {
        Send("(check-sat)");
        Flush();
    }

    private void Flush()
    {
        if (dead) return;
        try
        {
            input.Flush();
        }
        catch (IOException)
        {
            dead = true;
        }
    }

    /// <summary>Waits for the answer to the last <see cref="StartCheck"/>; kills the process when none comes in time.</summary>
    /// <exception cref="SolverException">The solver reported an error.</exception>
    public SatAnswer ReadAnswer()
    {
        if (dead) return SatAnswer.Unknown;
        var line = Next(timeoutMs + 5000);
        switch (line)
        {
            case null:
                Kill();
                return SatAnswer.Unknown;
            case "sat": return SatAnswer.Sat;
            case "unsat": return SatAnswer.Unsat;
            case "unknown": return SatAnswer.Unknown;
            default:
                throw new SolverException($"{Program(Kind)}: {line}");
        }
    }

    /// <summary>The values of some terms in the model of the last <c>sat</c> answer, each written as its SMT-LIB2 name.</summary>
    /// <exception cref="SolverException">The solver reported an error or an answer that cannot be read.</exception>
    public List<UInt128> Values(IReadOnlyList<string> names)
    {
        var result = new List<UInt128>(names.Count);
        if (names.Count == 0) return result;
        if (dead) throw new SolverException($"{Program(Kind)} is no longer running");
        // In chunks, so that no answer gets huge.
        for (var start = 0; start < names.Count; start += 256)
        {
            var chunk = names.Skip(start).Take(256).ToList();
            Send("(get-value (" + string.Join(" ", chunk) + "))");
            Flush();
            var text = new StringBuilder();
            var depth = 0;
            do
            {
                var line = Next(timeoutMs + 5000) ?? throw new SolverException($"{Program(Kind)} gave no model");
                if (line.StartsWith("(error", StringComparison.Ordinal)) throw new SolverException($"{Program(Kind)}: {line}");
                text.Append(line).Append(' ');
                foreach (var ch in line) depth += ch == '(' ? 1 : ch == ')' ? -1 : 0;
            }
            while (depth > 0);
            result.AddRange(SExpression.ValuesOf(text.ToString(), chunk.Count, Program(Kind)));
        }
        return result;
    }

    private string? Next(int ms)
    {
        try
        {
            while (lines.TryTake(out var line, ms))
                if (!line.StartsWith("WARNING", StringComparison.Ordinal) && !line.StartsWith("(warning", StringComparison.Ordinal)) return line;
            return null;
        }
        catch (InvalidOperationException)
        {
            dead = true;
            return null;
        }
    }

    private void Kill()
    {
        dead = true;
        try
        {
            process.Kill();
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!dead)
        {
            Send("(exit)");
            Flush();
            if (!process.WaitForExit(2000)) Kill();
        }
        lock (gate) closed = true;
        process.Dispose();
        input.Dispose();
        lines.Dispose();
    }
}

/// <summary>Reads the values in a <c>get-value</c> answer: <c>((name value) ...)</c> with Booleans and bit-vectors in <c>#b</c>, <c>#x</c> or <c>(_ bvN W)</c> form.</summary>
internal static class SExpression
{
    public static List<UInt128> ValuesOf(string text, int count, string solver)
    {
        var tokens = Tokens(text);
        var i = 0;
        Expect(tokens, ref i, "(", solver);
        var values = new List<UInt128>(count);
        for (var k = 0; k < count; k++)
        {
            Expect(tokens, ref i, "(", solver);
            SkipOne(tokens, ref i, solver);
            values.Add(Value(tokens, ref i, solver));
            Expect(tokens, ref i, ")", solver);
        }
        Expect(tokens, ref i, ")", solver);
        return values;
    }

    private static List<string> Tokens(string text)
    {
        var list = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c is '(' or ')') { list.Add(c.ToString()); i++; continue; }
            if (c == '|')
            {
                var end = text.IndexOf('|', i + 1);
                if (end < 0) end = text.Length - 1;
                list.Add(text[i..(end + 1)]);
                i = end + 1;
                continue;
            }
            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')')) i++;
            list.Add(text[start..i]);
        }
        return list;
    }

    private static void Expect(List<string> t, ref int i, string what, string solver)
    {
        if (i >= t.Count || t[i] != what) throw new SolverException($"{solver}: unreadable get-value answer near token {i}");
        i++;
    }

    private static void SkipOne(List<string> t, ref int i, string solver)
    {
        if (i >= t.Count) throw new SolverException($"{solver}: truncated get-value answer");
        if (t[i] != "(") { i++; return; }
        var depth = 0;
        do
        {
            depth += t[i] == "(" ? 1 : t[i] == ")" ? -1 : 0;
            i++;
        }
        while (depth > 0 && i < t.Count);
    }

    private static UInt128 Value(List<string> t, ref int i, string solver)
    {
        if (i >= t.Count) throw new SolverException($"{solver}: truncated get-value answer");
        var tok = t[i];
        if (tok == "(")
        {
            // (_ bvN W)
            if (i + 4 < t.Count && t[i + 1] == "_" && t[i + 2].StartsWith("bv", StringComparison.Ordinal) && t[i + 4] == ")")
            {
                var v = UInt128.Parse(t[i + 2][2..], System.Globalization.CultureInfo.InvariantCulture);
                i += 5;
                return v;
            }
            throw new SolverException($"{solver}: unexpected value in get-value answer");
        }
        i++;
        if (tok == "true") return 1;
        if (tok == "false") return 0;
        if (tok.StartsWith("#b", StringComparison.Ordinal))
        {
            UInt128 v = 0;
            foreach (var ch in tok.AsSpan(2)) v = (v << 1) | (ch == '1' ? UInt128.One : UInt128.Zero);
            return v;
        }
        if (tok.StartsWith("#x", StringComparison.Ordinal))
            return UInt128.Parse(tok[2..], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        throw new SolverException($"{solver}: unexpected value '{tok}' in get-value answer");
    }
}

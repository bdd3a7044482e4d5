using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Klp.Check.Proofs;

/// <summary>Which solvers answer a proof's queries.</summary>
public enum SolverChoice
{
    /// <summary>Z3 alone.</summary>
    Z3,
    /// <summary>cvc5 alone.</summary>
    Cvc5,
    /// <summary>Both, on every query; a disagreement is an error.</summary>
    Both,
}

/// <summary>Two solvers gave opposite answers to one query: an error of a solver or of the encoding, never a verdict.</summary>
public sealed class SolverDisagreement(string message) : Exception(message);

/// <summary>One incremental solving session over a <see cref="Terms"/> DAG: terms are written once as <c>define-fun</c>s, assertions and queries reference them, and with <see cref="SolverChoice.Both"/> every query goes to Z3 and cvc5 and their answers must agree.</summary>
/// <remarks>
/// Definitions are always written at the outermost level, so a <c>pop</c> never removes one;
/// <see cref="Query"/> is the only place a scope is pushed.
/// </remarks>
public sealed class SmtSession : IDisposable
{
    private readonly Terms terms;
    private readonly SolverProcess[] solvers;
    private readonly HashSet<int> written = [];
    // Commands not sent yet: each item is a term to declare or define, or a command's text.
    private readonly List<object> pending = [];
    private SolverProcess? modelFrom;
    private readonly SolverChoice choice;
    private readonly int timeoutMs;
    // Every permanent assertion in order, so that a twin can hold the same.
    private readonly List<Term> asserted = [];
    private SmtSession? twinOf;
    private int mirrored;

    /// <summary>Starts the solvers of a choice with a per-query timeout.</summary>
    /// <exception cref="SolverException">A solver is not installed.</exception>
    public SmtSession(Terms terms, SolverChoice choice, int timeoutMs)
    {
        this.terms = terms;
        this.choice = choice;
        this.timeoutMs = timeoutMs;
        var kinds = choice switch
        {
            SolverChoice.Z3 => new[] { SolverKind.Z3 },
            SolverChoice.Cvc5 => [SolverKind.Cvc5],
            _ => [SolverKind.Z3, SolverKind.Cvc5],
        };
        var started = new List<SolverProcess>();
        try
        {
            foreach (var k in kinds) started.Add(new SolverProcess(k, timeoutMs));
        }
        catch
        {
            foreach (var s in started) s.Dispose();
            throw;
        }
        solvers = [.. started];
        // KLP_PROVE_SCRIPTS=DIR keeps every session's script, for running a solver on it by hand.
        if (Environment.GetEnvironmentVariable("KLP_PROVE_SCRIPTS") is { Length: > 0 } dir)
            transcript = new StreamWriter(Path.Combine(dir, $"session-{Environment.ProcessId}-{Interlocked.Increment(ref sessions)}.smt2"));
    }

    private static int sessions;
    private readonly StreamWriter? transcript;

    /// <summary>The queries answered so far, the time spent waiting for answers, and the processor time the solvers used.</summary>
    public (int Queries, TimeSpan Time, TimeSpan Cpu) Spent => (queries, clock.Elapsed, solvers.Aggregate(TimeSpan.Zero, (a, s) => a + s.CpuTime));

    private int queries;
    private readonly Stopwatch clock = new();

    /// <summary>A second session with its own solver processes and the same permanent assertions, to answer queries of this one at the same time; <see cref="CatchUp"/> keeps it in step.</summary>
    public SmtSession Twin()
    {
        var twin = new SmtSession(terms, choice, timeoutMs) { twinOf = this };
        twin.CatchUp();
        return twin;
    }

    /// <summary>Asserts what the session this is a twin of asserted since the last call (nothing for a session that is no twin).</summary>
    public void CatchUp()
    {
        if (twinOf is null) return;
        while (mirrored < twinOf.asserted.Count) Assert(twinOf.asserted[mirrored++]);
    }

    /// <summary>Asserts a Boolean term permanently.</summary>
    public void Assert(Term t)
    {
        if (t.IsTrue) return;
        asserted.Add(t);
        Define([t]);
        pending.Add("(assert " + Name(t) + ")");
    }

    /// <summary>Checks the permanent assertions together with <paramref name="assumptions"/> (in a scope popped afterwards); on <c>sat</c> the values of <paramref name="wanted"/> are read before the pop.</summary>
    /// <exception cref="SolverDisagreement">Z3 and cvc5 gave opposite answers.</exception>
    public (SatAnswer Answer, Dictionary<int, UInt128>? Model) Query(IReadOnlyList<Term> assumptions, IReadOnlyList<Term> wanted, string? label = null)
    {
        Define([.. assumptions, .. wanted]);
        pending.Add("(push 1)");
        foreach (var a in assumptions)
            if (!a.IsTrue) pending.Add("(assert " + Name(a) + ")");
        var text = "";
        clock.Start();
        queries++;
        foreach (var s in solvers)
        {
            text = Render(pending, s.Kind);
            s.Send(text);
            s.StartCheck();
        }
        pending.Clear();
        var answers = solvers.Select(s => s.ReadAnswer()).ToArray();
        clock.Stop();
        transcript?.Write(text);
        transcript?.WriteLine($"(check-sat) ; {label} {string.Join(" ", answers)} after {clock.Elapsed.TotalSeconds:F2} s in all, processor {Spent.Cpu.TotalSeconds:F2} s\n(pop 1)");
        transcript?.Flush();
        if (answers.Contains(SatAnswer.Sat) && answers.Contains(SatAnswer.Unsat))
        {
            foreach (var s in solvers) s.Send("(pop 1)");
            throw new SolverDisagreement($"z3 said {answers[0].ToString().ToLowerInvariant()} and cvc5 said {answers[1].ToString().ToLowerInvariant()} on query {queries}");
        }
        var answer = answers.Contains(SatAnswer.Sat) ? SatAnswer.Sat : answers.Contains(SatAnswer.Unsat) ? SatAnswer.Unsat : SatAnswer.Unknown;
        Dictionary<int, UInt128>? model = null;
        if (answer == SatAnswer.Sat)
        {
            modelFrom = solvers[Array.IndexOf(answers, SatAnswer.Sat)];
            var names = wanted.Where(w => !w.IsConst).ToList();
            var values = modelFrom.Values([.. names.Select(Name)]);
            model = [];
            for (var i = 0; i < names.Count; i++) model[names[i].Id] = values[i];
            foreach (var w in wanted.Where(w => w.IsConst)) model[w.Id] = w.Value;
        }
        foreach (var s in solvers) s.Send("(pop 1)");
        return (answer, model);
    }

    // Writes the declarations and definitions the roots need that were not written yet.
    private void Define(IEnumerable<Term> roots)
    {
        foreach (var t in Terms.Reachable(roots, n => written.Contains(n.Id) || n.IsConst))
        {
            written.Add(t.Id);
            pending.Add(t);
        }
    }

    // The pending commands as one solver takes them. Z3 4.8 expands nested define-funs without
    // sharing (a query of a few hundred nodes took a minute), so it gets each node as a constant
    // with its defining equation, asserted at the outermost level; cvc5 gets define-funs.
    private static string Render(List<object> items, SolverKind kind)
    {
        var sb = new StringBuilder();
        foreach (var item in items)
        {
            if (item is string command)
            {
                sb.Append(command).Append('\n');
                continue;
            }
            var t = (Term)item;
            if (t.Kind == TermKind.Var || kind == SolverKind.Z3)
                sb.Append("(declare-fun ").Append(Name(t)).Append(" () ").Append(Sort(t)).Append(")\n");
            if (t.Kind == TermKind.Var) continue;
            if (kind == SolverKind.Z3)
            {
                sb.Append("(assert (= ").Append(Name(t)).Append(' ');
                Body(t, sb);
                sb.Append("))\n");
            }
            else
            {
                sb.Append("(define-fun ").Append(Name(t)).Append(" () ").Append(Sort(t)).Append(' ');
                Body(t, sb);
                sb.Append(")\n");
            }
        }
        return sb.ToString();
    }

    private static string Sort(Term t) => t.IsBool ? "Bool" : $"(_ BitVec {t.Width})";

    /// <summary>The SMT-LIB2 text that names a term: a variable's name, a literal, or the defined name of any other node.</summary>
    public static string Name(Term t) => t.Kind switch
    {
        TermKind.Var => t.Name!,
        TermKind.Const when t.IsBool => t.Value == 1 ? "true" : "false",
        TermKind.Const => $"(_ bv{t.Value.ToString(CultureInfo.InvariantCulture)} {t.Width})",
        _ => "t" + t.Id.ToString(CultureInfo.InvariantCulture),
    };

    private static void Body(Term t, StringBuilder sb)
    {
        string Op() => t.Kind switch
        {
            TermKind.Not => "not",
            TermKind.And => "and",
            TermKind.Or => "or",
            TermKind.Ite => "ite",
            TermKind.Eq => "=",
            TermKind.BvNot => "bvnot",
            TermKind.BvAnd => "bvand",
            TermKind.BvOr => "bvor",
            TermKind.BvXor => "bvxor",
            TermKind.BvAdd => "bvadd",
            TermKind.BvSub => "bvsub",
            TermKind.BvNeg => "bvneg",
            TermKind.BvShl => "bvshl",
            TermKind.BvUlt => "bvult",
            TermKind.BvUle => "bvule",
            TermKind.Concat => "concat",
            TermKind.Extract => $"(_ extract {t.Hi} {t.Lo})",
            _ => throw new InvalidOperationException($"no SMT-LIB2 operator for {t.Kind}"),
        };
        sb.Append('(').Append(Op());
        foreach (var a in t.Args) sb.Append(' ').Append(Name(a));
        sb.Append(')');
    }

    /// <summary>The whole script a set of assertions makes, for reading or for running a solver by hand.</summary>
    public static string Script(IEnumerable<Term> assertions)
    {
        var list = assertions.ToList();
        var sb = new StringBuilder("(set-logic QF_BV)\n");
        foreach (var t in Terms.Reachable(list))
        {
            if (t.IsConst) continue;
            if (t.Kind == TermKind.Var) sb.Append("(declare-fun ").Append(t.Name).Append(" () ").Append(Sort(t)).Append(")\n");
            else
            {
                sb.Append("(define-fun ").Append(Name(t)).Append(" () ").Append(Sort(t)).Append(' ');
                Body(t, sb);
                sb.Append(")\n");
            }
        }
        foreach (var a in list) sb.Append("(assert ").Append(Name(a)).Append(")\n");
        sb.Append("(check-sat)\n");
        return sb.ToString();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        transcript?.Dispose();
        foreach (var s in solvers) s.Dispose();
    }
}

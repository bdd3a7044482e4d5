namespace Klp.Check.Proofs;

/// <summary>Builds term DAGs: every node is made once (equal nodes are shared) and constants are folded where that is plainly sound.</summary>
/// <remarks>
/// The simplifications keep the DAGs small enough to hand to a solver many times; they are
/// checked the way the rest of the encoding is, by evaluating the simplified DAG against
/// <see cref="Klp.Check.Model.Kernel.Step"/> (the agreement tests) and by solving it.
/// </remarks>
public sealed class Terms
{
    private readonly Dictionary<Key, Term> nodes = [];
    private readonly List<Term> all = [];
    private readonly Dictionary<string, Term> vars = new(StringComparer.Ordinal);

    private readonly record struct Key(TermKind Kind, int Width, UInt128 Value, int Hi, int Lo, string? Name, int A0, int A1, int A2, string? More);

    /// <summary>The constant <c>true</c>.</summary>
    public Term True { get; }

    /// <summary>The constant <c>false</c>.</summary>
    public Term False { get; }

    /// <summary>An empty builder.</summary>
    public Terms()
    {
        False = Make(TermKind.Const, 0, [], 0);
        True = Make(TermKind.Const, 0, [], 1);
    }

    /// <summary>The number of nodes made.</summary>
    public int Count => all.Count;

    /// <summary>The node with an id.</summary>
    public Term this[int id] => all[id];

    /// <summary>Every variable made, by name.</summary>
    public IReadOnlyDictionary<string, Term> Variables => vars;

    private Term Make(TermKind kind, int width, Term[] args, UInt128 value = default, string? name = null, int hi = 0, int lo = 0)
    {
        var more = args.Length > 3 ? string.Join(",", args.Skip(3).Select(a => a.Id)) : null;
        var key = new Key(kind, width, value, hi, lo, name,
            args.Length > 0 ? args[0].Id : -1, args.Length > 1 ? args[1].Id : -1, args.Length > 2 ? args[2].Id : -1, more);
        if (nodes.TryGetValue(key, out var t)) return t;
        t = new Term(all.Count, kind, width, args, value, name, hi, lo);
        all.Add(t);
        nodes[key] = t;
        return t;
    }

    // ---- leaves

    /// <summary>A Boolean constant.</summary>
    public Term Bool(bool b) => b ? True : False;

    /// <summary>A bit-vector constant of a width (the value is cut to it).</summary>
    public Term Bv(int width, UInt128 value)
    {
        if (width is < 1 or > 128) throw new ArgumentOutOfRangeException(nameof(width), width, "a bit-vector has 1 to 128 bits");
        return Make(TermKind.Const, width, [], value & Term.Mask(width));
    }

    /// <summary>The bit-vector 0 of a width.</summary>
    public Term Zero(int width) => Bv(width, 0);

    /// <summary>The bit-vector with only bit <paramref name="bit"/> set.</summary>
    public Term BitConst(int width, int bit) => Bv(width, UInt128.One << bit);

    /// <summary>A symbolic constant; one name gives one variable, and a name used twice must have one width.</summary>
    public Term Var(string name, int width)
    {
        if (vars.TryGetValue(name, out var v))
            return v.Width == width ? v : throw new InvalidOperationException($"variable {name} declared with widths {v.Width} and {width}");
        v = Make(TermKind.Var, width, [], name: name);
        vars[name] = v;
        return v;
    }

    /// <summary>A Boolean symbolic constant.</summary>
    public Term BoolVar(string name) => Var(name, 0);

    // ---- Booleans

    /// <summary>Negation.</summary>
    public Term Not(Term a)
    {
        Bool1(a);
        if (a.IsConst) return Bool(a.Value == 0);
        if (a.Kind == TermKind.Not) return a.Args[0];
        return Make(TermKind.Not, 0, [a]);
    }

    /// <summary>Conjunction: true for none.</summary>
    public Term And(params Term[] args) => AndOr(args, and: true);

    /// <summary>Conjunction of a sequence.</summary>
    public Term And(IEnumerable<Term> args) => AndOr([.. args], and: true);

    /// <summary>Disjunction: false for none.</summary>
    public Term Or(params Term[] args) => AndOr(args, and: false);

    /// <summary>Disjunction of a sequence.</summary>
    public Term Or(IEnumerable<Term> args) => AndOr([.. args], and: false);

    private Term AndOr(Term[] args, bool and)
    {
        var unit = Bool(and);
        var absorbing = Bool(!and);
        var kind = and ? TermKind.And : TermKind.Or;
        var kept = new List<Term>(args.Length);
        var seen = new HashSet<int>();
        foreach (var a in args)
        {
            Bool1(a);
            if (ReferenceEquals(a, absorbing)) return absorbing;
            if (ReferenceEquals(a, unit)) continue;
            if (a.Kind == kind)
            {
                foreach (var inner in a.Args)
                    if (seen.Add(inner.Id)) kept.Add(inner);
                continue;
            }
            if (seen.Add(a.Id)) kept.Add(a);
        }
        foreach (var a in kept)
            if (a.Kind == TermKind.Not && seen.Contains(a.Args[0].Id)) return absorbing;
        if (kept.Count == 0) return unit;
        if (kept.Count == 1) return kept[0];
        kept.Sort((x, y) => x.Id.CompareTo(y.Id));
        return Make(kind, 0, [.. kept]);
    }

    /// <summary>Implication.</summary>
    public Term Implies(Term a, Term b) => Or(Not(a), b);

    /// <summary>Exclusive or of two Booleans.</summary>
    public Term Xor(Term a, Term b) => Not(Eq(a, b));

    /// <summary>If-then-else over Booleans or bit-vectors of one width.</summary>
    public Term Ite(Term c, Term a, Term b)
    {
        Bool1(c);
        Same(a, b);
        if (c.IsConst) return c.Value == 1 ? a : b;
        if (ReferenceEquals(a, b)) return a;
        if (c.Kind == TermKind.Not) return Ite(c.Args[0], b, a);
        if (a.IsBool)
        {
            if (a.IsTrue) return Or(c, b);
            if (a.IsFalse) return And(Not(c), b);
            if (b.IsTrue) return Or(Not(c), a);
            if (b.IsFalse) return And(c, a);
        }
        return Make(TermKind.Ite, a.Width, [c, a, b]);
    }

    /// <summary>Equality.</summary>
    public Term Eq(Term a, Term b)
    {
        Same(a, b);
        if (ReferenceEquals(a, b)) return True;
        if (a.IsConst && b.IsConst) return Bool(a.Value == b.Value);
        if (a.IsBool)
        {
            if (a.IsConst) return a.IsTrue ? b : Not(b);
            if (b.IsConst) return b.IsTrue ? a : Not(a);
        }
        if (a.Id > b.Id) (a, b) = (b, a);
        return Make(TermKind.Eq, 0, [a, b]);
    }

    // ---- bit-vectors

    /// <summary><c>bvnot</c>.</summary>
    public Term BvNot(Term a)
    {
        Bv1(a);
        if (a.IsConst) return Bv(a.Width, ~a.Value);
        if (a.Kind == TermKind.BvNot) return a.Args[0];
        return Make(TermKind.BvNot, a.Width, [a]);
    }

    /// <summary><c>bvand</c>.</summary>
    public Term BvAnd(Term a, Term b)
    {
        Same(a, b);
        Bv1(a);
        if (a.IsConst && b.IsConst) return Bv(a.Width, a.Value & b.Value);
        if (a.IsZero || b.IsZero) return Zero(a.Width);
        var ones = Term.Mask(a.Width);
        if (a.IsConst && a.Value == ones) return b;
        if (b.IsConst && b.Value == ones) return a;
        if (ReferenceEquals(a, b)) return a;
        if (a.Id > b.Id) (a, b) = (b, a);
        return Make(TermKind.BvAnd, a.Width, [a, b]);
    }

    /// <summary><c>bvor</c>.</summary>
    public Term BvOr(Term a, Term b)
    {
        Same(a, b);
        Bv1(a);
        if (a.IsConst && b.IsConst) return Bv(a.Width, a.Value | b.Value);
        if (a.IsZero) return b;
        if (b.IsZero) return a;
        if (ReferenceEquals(a, b)) return a;
        if (a.Id > b.Id) (a, b) = (b, a);
        return Make(TermKind.BvOr, a.Width, [a, b]);
    }

    /// <summary><c>bvor</c> of a sequence of one width; 0 for none.</summary>
    public Term BvOrAll(int width, IEnumerable<Term> args)
    {
        var acc = Zero(width);
        foreach (var a in args) acc = BvOr(acc, a);
        return acc;
    }

    /// <summary><c>bvxor</c>.</summary>
    public Term BvXor(Term a, Term b)
    {
        Same(a, b);
        Bv1(a);
        if (a.IsConst && b.IsConst) return Bv(a.Width, a.Value ^ b.Value);
        if (a.IsZero) return b;
        if (b.IsZero) return a;
        if (ReferenceEquals(a, b)) return Zero(a.Width);
        if (a.Id > b.Id) (a, b) = (b, a);
        return Make(TermKind.BvXor, a.Width, [a, b]);
    }

    /// <summary><c>bvadd</c>.</summary>
    public Term BvAdd(Term a, Term b)
    {
        Same(a, b);
        Bv1(a);
        if (a.IsConst && b.IsConst) return Bv(a.Width, a.Value + b.Value);
        if (a.IsZero) return b;
        if (b.IsZero) return a;
        if (a.Id > b.Id) (a, b) = (b, a);
        return Make(TermKind.BvAdd, a.Width, [a, b]);
    }

    /// <summary><c>bvsub</c>.</summary>
    public Term BvSub(Term a, Term b)
    {
        Same(a, b);
        Bv1(a);
        if (a.IsConst && b.IsConst) return Bv(a.Width, a.Value - b.Value);
        if (b.IsZero) return a;
        if (ReferenceEquals(a, b)) return Zero(a.Width);
        return Make(TermKind.BvSub, a.Width, [a, b]);
    }

    /// <summary><c>bvneg</c>: two's complement.</summary>
    public Term BvNeg(Term a)
    {
        Bv1(a);
        if (a.IsConst) return Bv(a.Width, UInt128.Zero - a.Value);
        return Make(TermKind.BvNeg, a.Width, [a]);
    }

    /// <summary><c>bvshl</c> by a bit-vector of the same width.</summary>
    public Term BvShl(Term a, Term b)
    {
        Same(a, b);
        Bv1(a);
        if (b.IsConst) return ShiftLeft(a, b.Value >= (UInt128)a.Width ? a.Width : (int)b.Value);
        if (a.IsZero) return a;
        return Make(TermKind.BvShl, a.Width, [a, b]);
    }

    /// <summary>Shift left by a constant, filling with zeros.</summary>
    public Term ShiftLeft(Term a, int by)
    {
        Bv1(a);
        if (by == 0) return a;
        if (by >= a.Width) return Zero(a.Width);
        if (a.IsConst) return Bv(a.Width, a.Value << by);
        return Concat(Extract(a, a.Width - 1 - by, 0), Zero(by));
    }

    /// <summary><c>bvult</c>: unsigned less than.</summary>
    public Term Ult(Term a, Term b)
    {
        Same(a, b);
        Bv1(a);
        if (a.IsConst && b.IsConst) return Bool(a.Value < b.Value);
        if (ReferenceEquals(a, b) || b.IsZero) return False;
        return Make(TermKind.BvUlt, 0, [a, b]);
    }

    /// <summary><c>bvule</c>: unsigned less than or equal.</summary>
    public Term Ule(Term a, Term b)
    {
        Same(a, b);
        Bv1(a);
        if (a.IsConst && b.IsConst) return Bool(a.Value <= b.Value);
        if (ReferenceEquals(a, b) || a.IsZero) return True;
        return Make(TermKind.BvUle, 0, [a, b]);
    }

    /// <summary>Bits <paramref name="hi"/> down to <paramref name="lo"/>.</summary>
    public Term Extract(Term a, int hi, int lo)
    {
        Bv1(a);
        if (lo < 0 || hi < lo || hi >= a.Width) throw new ArgumentOutOfRangeException(nameof(hi), $"extract {hi}..{lo} of {a.Width} bits");
        if (lo == 0 && hi == a.Width - 1) return a;
        if (a.IsConst) return Bv(hi - lo + 1, a.Value >> lo);
        if (a.Kind == TermKind.Extract) return Extract(a.Args[0], a.Lo + hi, a.Lo + lo);
        if (a.Kind == TermKind.Concat)
        {
            var low = a.Args[1];
            if (hi < low.Width) return Extract(low, hi, lo);
            if (lo >= low.Width) return Extract(a.Args[0], hi - low.Width, lo - low.Width);
        }
        if (a.Kind == TermKind.Ite && (a.Args[1].IsConst || a.Args[2].IsConst))
            return Ite(a.Args[0], Extract(a.Args[1], hi, lo), Extract(a.Args[2], hi, lo));
        return Make(TermKind.Extract, hi - lo + 1, [a], hi: hi, lo: lo);
    }

    /// <summary><c>concat</c>: <paramref name="high"/> above <paramref name="low"/>.</summary>
    public Term Concat(Term high, Term low)
    {
        Bv1(high);
        Bv1(low);
        if (high.Width + low.Width > 128) throw new ArgumentOutOfRangeException(nameof(high), "a bit-vector has at most 128 bits");
        if (high.IsConst && low.IsConst) return Bv(high.Width + low.Width, (high.Value << low.Width) | low.Value);
        return Make(TermKind.Concat, high.Width + low.Width, [high, low]);
    }

    // ---- derived forms

    /// <summary>Bit <paramref name="i"/> of a bit-vector, as a Boolean.</summary>
    public Term Bit(Term a, int i)
    {
        var e = Extract(a, i, i);
        if (e.IsConst) return Bool(e.Value == 1);
        if (e.Kind == TermKind.Ite && e.Args[1].IsConst && e.Args[2].IsConst)
            return e.Args[1].Value == e.Args[2].Value ? Bool(e.Args[1].Value == 1) : e.Args[1].Value == 1 ? e.Args[0] : Not(e.Args[0]);
        return Eq(e, Bv(1, 1));
    }

    /// <summary>The bit-vector whose bit i is <paramref name="bits"/>[i].</summary>
    public Term FromBits(IReadOnlyList<Term> bits)
    {
        Term? acc = null;
        for (var i = 0; i < bits.Count; i++)
        {
            var b = Ite(bits[i], Bv(1, 1), Bv(1, 0));
            acc = acc is null ? b : Concat(b, acc);
        }
        return acc ?? throw new ArgumentException("no bits", nameof(bits));
    }

    /// <summary>True when a bit-vector is 0.</summary>
    public Term IsZero(Term a) => Eq(a, Zero(a.Width));

    /// <summary>True when a bit-vector is not 0.</summary>
    public Term NonZero(Term a) => Not(IsZero(a));

    /// <summary>True when every bit of <paramref name="a"/> is also set in <paramref name="b"/>.</summary>
    public Term Subset(Term a, Term b) => IsZero(BvAnd(a, BvNot(b)));

    /// <summary>True when two bit-vectors share a bit.</summary>
    public Term Meets(Term a, Term b) => NonZero(BvAnd(a, b));

    /// <summary>True when at most one bit is set.</summary>
    public Term AtMostOneBit(Term a) => IsZero(BvAnd(a, BvSub(a, Bv(a.Width, 1))));

    /// <summary>True when exactly one bit is set.</summary>
    public Term OneBit(Term a) => And(NonZero(a), AtMostOneBit(a));

    /// <summary>The lowest set bit alone (0 for 0).</summary>
    public Term LowestBit(Term a) => BvAnd(a, BvNeg(a));

    /// <summary>The lowest clear bit alone (0 when every bit is set).</summary>
    public Term LowestClearBit(Term a) => BvAnd(BvNot(a), BvAdd(a, Bv(a.Width, 1)));

    /// <summary><paramref name="a"/> when <paramref name="c"/> holds, else 0.</summary>
    public Term When(Term c, Term a) => Ite(c, a, Zero(a.Width));

    /// <summary>The value at the index a one-hot (or zero) selector picks among <paramref name="values"/>: their <c>bvor</c> under each selector bit.</summary>
    public Term Select(Term selector, IReadOnlyList<Term> values)
    {
        if (values[0].IsBool) return Or(values.Select((v, i) => And(Bit(selector, i), v)));
        return BvOrAll(values[0].Width, values.Select((v, i) => When(Bit(selector, i), v)));
    }

    private static void Same(Term a, Term b)
    {
        if (a.Width != b.Width) throw new ArgumentException($"sort mismatch: {a.Width} and {b.Width} bits (0 = Boolean)");
    }

    private static void Bool1(Term a)
    {
        if (!a.IsBool) throw new ArgumentException($"expected a Boolean, got {a.Width} bits");
    }

    private static void Bv1(Term a)
    {
        if (a.IsBool) throw new ArgumentException("expected a bit-vector, got a Boolean");
    }

    /// <summary>Every node reachable from the roots, in increasing id (so arguments first); a node <paramref name="skip"/> says yes to is left out and not looked into.</summary>
    public static List<Term> Reachable(IEnumerable<Term> roots, Func<Term, bool>? skip = null)
    {
        var seen = new HashSet<int>();
        var stack = new Stack<Term>(roots);
        var list = new List<Term>();
        while (stack.Count > 0)
        {
            var t = stack.Pop();
            if (!seen.Add(t.Id) || skip?.Invoke(t) == true) continue;
            list.Add(t);
            foreach (var a in t.Args) stack.Push(a);
        }
        list.Sort((x, y) => x.Id.CompareTo(y.Id));
        return list;
    }
}

namespace Klp.Check.Proofs;

/// <summary>What a <see cref="Term"/> node computes; each maps onto one SMT-LIB2 operator of QF_BV.</summary>
public enum TermKind : byte
{
    /// <summary>A symbolic constant (<c>declare-fun</c>).</summary>
    Var,
    /// <summary>A literal: <c>true</c>/<c>false</c> or a bit-vector value.</summary>
    Const,
    /// <summary>Boolean negation.</summary>
    Not,
    /// <summary>Boolean conjunction of any number of arguments.</summary>
    And,
    /// <summary>Boolean disjunction of any number of arguments.</summary>
    Or,
    /// <summary><c>ite</c> over Booleans or bit-vectors.</summary>
    Ite,
    /// <summary>Equality of two Booleans or two bit-vectors of one width.</summary>
    Eq,
    /// <summary><c>bvnot</c>.</summary>
    BvNot,
    /// <summary><c>bvand</c>.</summary>
    BvAnd,
    /// <summary><c>bvor</c>.</summary>
    BvOr,
    /// <summary><c>bvxor</c>.</summary>
    BvXor,
    /// <summary><c>bvadd</c>.</summary>
    BvAdd,
    /// <summary><c>bvsub</c>.</summary>
    BvSub,
    /// <summary><c>bvneg</c>.</summary>
    BvNeg,
    /// <summary><c>bvshl</c>.</summary>
    BvShl,
    /// <summary><c>bvult</c>.</summary>
    BvUlt,
    /// <summary><c>bvule</c>.</summary>
    BvUle,
    /// <summary><c>(_ extract hi lo)</c>.</summary>
    Extract,
    /// <summary><c>concat</c>: the first argument is the high part.</summary>
    Concat,
}

/// <summary>One node of a term DAG over Booleans and bit-vectors of up to 128 bits, made only by <see cref="Terms"/>, which shares equal nodes.</summary>
/// <remarks>
/// A node is created after its arguments, so ids are a topological order: the evaluator and the
/// SMT-LIB2 writer walk a DAG by increasing id. A Boolean has <see cref="Width"/> 0.
/// </remarks>
public sealed class Term
{
    internal Term(int id, TermKind kind, int width, Term[] args, UInt128 value, string? name, int hi, int lo)
    {
        Id = id;
        Kind = kind;
        Width = width;
        Args = args;
        Value = value;
        Name = name;
        Hi = hi;
        Lo = lo;
    }

    /// <summary>The node's id in its <see cref="Terms"/>: larger than the ids of its arguments.</summary>
    public int Id { get; }

    /// <summary>What it computes.</summary>
    public TermKind Kind { get; }

    /// <summary>0 for a Boolean, else the bit-vector width (1 to 128).</summary>
    public int Width { get; }

    /// <summary>The arguments.</summary>
    public Term[] Args { get; }

    /// <summary>For a constant, its value (a Boolean is 0 or 1).</summary>
    public UInt128 Value { get; }

    /// <summary>For a variable, its name.</summary>
    public string? Name { get; }

    /// <summary>For <see cref="TermKind.Extract"/>, the highest bit kept.</summary>
    public int Hi { get; }

    /// <summary>For <see cref="TermKind.Extract"/>, the lowest bit kept.</summary>
    public int Lo { get; }

    /// <summary>True for a Boolean.</summary>
    public bool IsBool => Width == 0;

    /// <summary>True for a constant.</summary>
    public bool IsConst => Kind == TermKind.Const;

    /// <summary>True for the constant <c>true</c>.</summary>
    public bool IsTrue => Kind == TermKind.Const && Width == 0 && Value == 1;

    /// <summary>True for the constant <c>false</c>.</summary>
    public bool IsFalse => Kind == TermKind.Const && Width == 0 && Value == 0;

    /// <summary>True for a bit-vector constant 0.</summary>
    public bool IsZero => Kind == TermKind.Const && Width > 0 && Value == 0;

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        TermKind.Var => Name!,
        TermKind.Const => Width == 0 ? (Value == 1 ? "true" : "false") : $"{Value}:{Width}",
        _ => $"t{Id}",
    };

    /// <summary>The mask of the low <paramref name="width"/> bits.</summary>
    public static UInt128 Mask(int width) => width >= 128 ? UInt128.MaxValue : (UInt128.One << width) - 1;
}

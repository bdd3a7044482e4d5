namespace Klp.Check.Model;

/// <summary>The operations a user (or user space) performs on the livepatch core.</summary>
public enum OpKind : byte
{
    /// <summary><c>insmod</c>, then <c>klp_enable_patch()</c>.</summary>
    Load,
    /// <summary>The transition finishes.</summary>
    Complete,
    /// <summary>Write the opposite value to <c>enabled</c> of the transition patch.</summary>
    Reverse,
    /// <summary><c>echo 1 &gt; force</c> on the transition patch.</summary>
    Force,
    /// <summary><c>echo 0 &gt; enabled</c>.</summary>
    Disable,
    /// <summary><c>rmmod</c>.</summary>
    Unload,
}

/// <summary>One operation: its kind, the patch it names (catalog index) and, for a load, the <c>add_sets</c> variant.</summary>
/// <param name="Kind">What is done.</param>
/// <param name="Patch">Catalog index of the patch, or <see cref="NoPatch"/> for "the transition patch".</param>
/// <param name="Params">Index into <see cref="Catalog.AddSetsVariants"/>; 0 means no load parameter.</param>
public readonly record struct Operation(OpKind Kind, byte Patch, byte Params = 0)
{
    /// <summary>The patch value meaning "the transition patch" for Complete, Reverse and Force.</summary>
    public const byte NoPatch = 0xFF;

    /// <summary>Load a patch, with an optional <c>add_sets</c> variant.</summary>
    public static Operation Load(int patch, int @params = 0) => new(OpKind.Load, (byte)patch, (byte)@params);
    /// <summary>Disable a patch.</summary>
    public static Operation Disable(int patch) => new(OpKind.Disable, (byte)patch);
    /// <summary>Remove a patch's module.</summary>
    public static Operation Unload(int patch) => new(OpKind.Unload, (byte)patch);
    /// <summary>Complete the running transition.</summary>
    public static Operation Complete() => new(OpKind.Complete, NoPatch);
    /// <summary>Reverse the running transition.</summary>
    public static Operation Reverse() => new(OpKind.Reverse, NoPatch);
    /// <summary>Force the transition of a patch (or the running one).</summary>
    public static Operation Force(int patch = NoPatch) => new(OpKind.Force, (byte)patch);

    /// <summary>The operation in scenario-file syntax, with names from the catalog.</summary>
    public string Format(Catalog catalog)
    {
        var name = Patch == NoPatch || Patch >= catalog.Count ? null : catalog[Patch].Name;
        return Kind switch
        {
            OpKind.Load => Params == 0 ? $"load {name}" : $"load {name} add_sets={{{string.Join(",", catalog.AddSetsVariants[Params])}}}",
            OpKind.Disable => $"disable {name}",
            OpKind.Unload => $"unload {name}",
            OpKind.Complete => "complete",
            OpKind.Reverse => "reverse",
            OpKind.Force => name is null ? "force" : $"force {name}",
            _ => Kind.ToString(),
        };
    }
}

namespace Klp.Check.Model;

/// <summary>The error numbers the kernel returns for a refused operation.</summary>
public enum Errno : byte
{
    /// <summary>No error: the operation was accepted.</summary>
    None,
    /// <summary>A module with the same name is already loaded.</summary>
    EEXIST,
    /// <summary>Invalid: incompatible patch, unexpressible attributes, or a write the sysfs file does not take.</summary>
    EINVAL,
    /// <summary>Busy: a transition is running.</summary>
    EBUSY,
    /// <summary>No such file: <c>rmmod</c> of a module that is not loaded, or a write to the sysfs file of a patch that has no directory.</summary>
    ENOENT,
    /// <summary>Try again (<c>EWOULDBLOCK</c>): <c>rmmod</c> of a module whose reference count is not zero.</summary>
    /// <remarks><c>try_stop_module()</c> in kernel/module/main.c; delete_module(2). The kernel's <c>EBUSY</c> for <c>rmmod</c> is for a module that is not live (still initialising or already going), which the model never has.</remarks>
    EAGAIN,
}

/// <summary>Names of <see cref="Errno"/> values as the tool prints and parses them.</summary>
public static class Errnos
{
    private static readonly string[] names = [.. Enum.GetValues<Errno>().Where(e => e != Errno.None).Select(e => e.ToString())];

    /// <summary>Every errno a refusal can carry, in enum order.</summary>
    public static IReadOnlyList<string> All => names;

    /// <summary>Parses an errno name; <c>EWOULDBLOCK</c> is the kernel's other name for <c>EAGAIN</c>.</summary>
    public static bool TryParse(string text, out Errno errno)
    {
        errno = text == "EWOULDBLOCK" ? Errno.EAGAIN : Errno.None;
        if (errno != Errno.None) return true;
        var i = Array.IndexOf(names, text);
        if (i >= 0) errno = (Errno)(i + 1);
        return i >= 0;
    }
}

/// <summary>Why an operation was refused; each has a stable kebab-case name.</summary>
public enum Reason : byte
{
    /// <summary>Not refused.</summary>
    None,
    /// <summary>The patch's module is already loaded.</summary>
    ModuleLoaded,
    /// <summary>The patch's <c>sets</c> cannot be expressed in the reading.</summary>
    UnexpressibleAttributes,
    /// <summary>The reading has no <c>add_sets</c> load parameter.</summary>
    UnsupportedParameter,
    /// <summary>A patch that is not replaced patches the same function.</summary>
    FunctionConflict,
    /// <summary>A patch that is not replaced declares the same state id.</summary>
    StateConflict,
    /// <summary>A replaced patch's state is not declared by the new patch.</summary>
    StateDropped,
    /// <summary>The new patch declares a state with a lower version.</summary>
    StateDowngrade,
    /// <summary>A replaced patch's <c>block_disable</c> state is not declared by the new patch.</summary>
    StateBlocked,
    /// <summary>An entry's sets intersect the new patch's without being a subset (the <c>set</c> reading).</summary>
    PartialSetOverlap,
    /// <summary>Another transition is running.</summary>
    TransitionInProgress,
    /// <summary>The patch is in <c>Patches</c> but not enabled: its unpatching transition is running.</summary>
    NotEnabled,
    /// <summary>The patch declares a <c>block_disable</c> state.</summary>
    DisableBlocked,
    /// <summary>No transition is running.</summary>
    NoTransition,
    /// <summary>The patch is not the transition patch.</summary>
    NotInTransition,
    /// <summary>The module is in <c>Patches</c> or pinned by force.</summary>
    ModuleInUse,
    /// <summary>The module is not loaded.</summary>
    ModuleNotLoaded,
    /// <summary>The operation names a patch or parameter the catalog does not have.</summary>
    UnknownPatch,
    /// <summary>The patch has no sysfs directory (never loaded, or freed after a disable, a replace or a reversed load), so its sysfs files cannot be written.</summary>
    NoSysfsDir,
    /// <summary>A nop for a replaced function gets the same sysfs name as one of the new patch's functions (<c>f,1</c> for sympos 0 and 1).</summary>
    NopNameClash,
    /// <summary>The patch names one function twice (<c>f</c> and <c>f@1</c>, or the same spelling twice), so two of its sysfs directories get the same name.</summary>
    DuplicateFunction,
}

/// <summary>Names of <see cref="Reason"/> values as the tool prints and parses them.</summary>
public static class Reasons
{
    private static readonly string[] names =
    [
        "none", "module-loaded", "unexpressible-attributes", "unsupported-parameter", "function-conflict",
        "state-conflict", "state-dropped", "state-downgrade", "state-blocked", "partial-set-overlap",
        "transition-in-progress", "not-enabled", "disable-blocked", "no-transition", "not-in-transition",
        "module-in-use", "module-not-loaded", "unknown-patch", "no-sysfs-dir", "nop-name-clash",
        "duplicate-function",
    ];

    /// <summary>The stable kebab-case name of a reason.</summary>
    public static string Name(this Reason reason) => names[(int)reason];

    /// <summary>Every reason name, in enum order.</summary>
    public static IReadOnlyList<string> All => names;

    /// <summary>Parses a kebab-case reason name.</summary>
    public static bool TryParse(string text, out Reason reason)
    {
        var i = Array.IndexOf(names, text);
        reason = i < 0 ? Reason.None : (Reason)i;
        return i > 0;
    }
}

/// <summary>The result of one <see cref="Kernel.Step"/>: accepted with what it replaced or removed, or refused with an errno and a reason.</summary>
/// <param name="State">The state after the step; for a refusal, exactly the state before it.</param>
/// <param name="Errno">The errno of a refusal, <see cref="Errno.None"/> when accepted.</param>
/// <param name="Reason">The named reason of a refusal.</param>
/// <param name="Affected">Patches (by catalog index) the operation replaced, removed or unloaded.</param>
public readonly record struct Outcome(KernelState State, Errno Errno, Reason Reason, ulong Affected)
{
    /// <summary>True when the operation was accepted.</summary>
    public bool Accepted => Errno == Errno.None;

}

/// <summary>What <see cref="Kernel.Apply"/> reports: accepted with what it replaced or removed, or refused with an errno and a reason.</summary>
public readonly struct Effect
{
    // errno in bits 0-7, reason in 8-15, the affected mask in 32-63: one register, built and
    // read without narrow stores (a struct of three fields returned through memory stalls the
    // load that reads it back).
    private readonly ulong bits;

    private Effect(ulong bits) => this.bits = bits;

    /// <summary>The errno of a refusal, <see cref="Errno.None"/> when accepted.</summary>
    public Errno Errno => (Errno)(byte)bits;

    /// <summary>The named reason of a refusal.</summary>
    public Reason Reason => (Reason)(byte)(bits >> 8);

    /// <summary>Patches (by catalog index) the operation replaced, removed or unloaded.</summary>
    public ulong Affected => bits >> 32;

    /// <summary>True when the operation was accepted.</summary>
    public bool Accepted => Errno == Errno.None;

    /// <summary>A refusal with its errno and reason.</summary>
    public static Effect Refuse(Errno errno, Reason reason) => new((ulong)errno | (ulong)reason << 8);

    /// <summary>An acceptance that replaced or removed the patches of <paramref name="affected"/> (a mask over catalog indices).</summary>
    public static Effect Accept(ulong affected) => new((ulong)(uint)affected << 32);

    /// <summary>This effect as an <see cref="Outcome"/>, with the state the operation left.</summary>
    public Outcome With(in KernelState state) => new(state, Errno, Reason, Affected);
}

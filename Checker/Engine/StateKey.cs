using Klp.Check.Model;

namespace Klp.Check.Engine;

/// <summary>A state as a search of a graph looks it up: the value, and its packed words when the graph's states are packed.</summary>
/// <remarks>
/// A successor is packed once, when it is generated (<see cref="StateList.Print"/>): its
/// fingerprint is the hash of those words, a lookup compares them with the stored ones, and a new
/// state is stored as them. <see cref="Packed"/> is empty when the graph stores values.
/// </remarks>
internal readonly ref struct StateKey
{
    /// <summary>The state.</summary>
    public readonly ref readonly KernelState State;

    /// <summary>The state packed by the graph's packing (<see cref="StateList.KeyWords"/> words); empty when the graph has none.</summary>
    public readonly ReadOnlySpan<ulong> Packed;

    /// <summary>A key of a state and its packed words, as <see cref="StateList.Print"/> wrote them.</summary>
    public StateKey(ref readonly KernelState state, ReadOnlySpan<ulong> packed)
    {
        State = ref state;
        Packed = packed;
    }
}

namespace Klp.Check.Engine;

/// <summary>How the explorer expands a large level on two threads (<see cref="Explorer.Expansion"/>).</summary>
public enum LevelExpansion
{
    /// <summary>Each part of the level split in two: the search's thread expands the first share itself, a producing thread the rest into a buffer that the search's thread records; the threads exchange one buffer per part.</summary>
    Split,

    /// <summary>A pipeline: a producing thread expands the states one by one and hands each one's successors over through a ring; the threads exchange a batch per state.</summary>
    Pipeline,
}

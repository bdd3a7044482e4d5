namespace Klp.Check.Engine;

/// <summary>Where the two threads' time went in the levels of an exploration expanded as split parts (<see cref="LevelExpansion.Split"/>), and how many states each expanded.</summary>
/// <remarks>
/// Taken at the parts' boundaries, three clock readings a part on the search's thread and three
/// on the producing thread, so that keeping them costs nothing that shows. The search's thread
/// runs a part as its own share (<see cref="Own"/>: expanding, looking up and recording its
/// states), then the wait for the producer's buffer (<see cref="Waiting"/>), then the producer's
/// share (<see cref="Recording"/>: telling refusals, looking up what the producer did not find,
/// recording edges and telling the visitor). Its stages reach two states back, so each boundary
/// is exact within two states. The producing thread's time is its shares (<see cref="Producing"/>)
/// and what lies between them (<see cref="ProducerWaiting"/>: waiting for a free buffer, or to be
/// started). Levels too small to split, and every level on one thread, count nowhere.
/// <para>
/// Divided by the states of each share, these give costs per state that two threads measure in
/// the same run, at the same moments of a shared machine: the search's thread's cost of recording
/// a state the producer expanded against its cost of expanding one of its own is what the split
/// adds to the search's thread, whatever the machine's speed at the time
/// (docs/performance.md, "The two threads' time, part by part").
/// </para>
/// </remarks>
/// <param name="Own">The search's thread expanding its own share of the parts.</param>
/// <param name="Waiting">The search's thread waiting for the producer's share of a part.</param>
/// <param name="Recording">The search's thread recording the producer's share.</param>
/// <param name="Producing">The producing thread expanding its share of the parts.</param>
/// <param name="ProducerWaiting">The producing thread between its shares.</param>
/// <param name="OwnStates">The states the search's thread expanded in split levels.</param>
/// <param name="ProducedStates">The states the producing thread expanded.</param>
/// <param name="Levels">The levels expanded as split parts.</param>
public readonly record struct SplitTimes(TimeSpan Own, TimeSpan Waiting, TimeSpan Recording, TimeSpan Producing, TimeSpan ProducerWaiting, long OwnStates, long ProducedStates, int Levels);

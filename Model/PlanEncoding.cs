namespace Klp.Check.Model;

/// <summary>How a vendor following a proposal builds the releases of a plan (docs/semantics.md section 5.1).</summary>
/// <remarks>
/// <see cref="Kernel.Step"/> never reads it; the checker's release-plan encoder does. It is part
/// of a reading because a proposal file names it (<c>encoding:</c>, docs/proposals.md) and
/// because readings that differ only in it are different readings: <c>flat</c> and
/// <c>flat-dynamic</c>, and the combinations of the design space.
/// </remarks>
public enum PlanEncoding : byte
{
    /// <summary>Upstream: a cumulative is <c>replace = true</c>, everything else <c>false</c>.</summary>
    ReplaceFlag,
    /// <summary>A cumulative is set 1, a hotfix a fresh set from 2, a customer patch a fresh set from 1000.</summary>
    SingleSet,
    /// <summary>A cumulative is set 0, a hotfix a fresh set from 1, a customer patch a fresh set from 1000.</summary>
    ZeroSet,
    /// <summary>A cumulative is <c>{1, every earlier hotfix set}</c>, a hotfix <c>{fresh}</c>, a customer patch <c>{fresh from 1000}</c>.</summary>
    Array,
    /// <summary>A cumulative is <c>{1..k+1}</c> for k earlier hotfix lines; hotfixes and customer patches take <c>auto</c>.</summary>
    Dynamic,
}

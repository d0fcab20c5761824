namespace Sharpness.Core.Dynamics;

/// <summary>A period-doubling (flip) bifurcation: the period-p orbit's multiplier crosses −1 at <see cref="Parameter"/> and a period-2p orbit is born.</summary>
/// <param name="FromPeriod">p.</param>
/// <param name="ToPeriod">2p.</param>
/// <param name="Parameter">The flip point r, to the bisection tolerance.</param>
/// <param name="BracketWidth">Width of the final bisection bracket (the accuracy of <see cref="Parameter"/>).</param>
/// <param name="Orbit">The period-p orbit at the lower end of the final bracket (multiplier just above −1).</param>
public sealed record FlipPoint(int FromPeriod, int ToPeriod, double Parameter, double BracketWidth, PeriodicOrbit Orbit);

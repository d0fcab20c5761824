namespace Sharpness.Nets.Experiments;

/// <summary>
/// The early trend of the sharpness: what the UV model's growth wedge predicts for the first step and
/// what a measured series shows over the first steps (uv-model.md sections 5 and 8).
/// </summary>
public enum EarlyRegime
{
    /// <summary>The sharpness falls first (early sharpness reduction).</summary>
    SharpnessReduction,

    /// <summary>The sharpness rises first (progressive sharpening).</summary>
    ProgressiveSharpening,

    /// <summary>Neither: the measured sharpness stays within the tolerance, or the prediction sits exactly on the wedge's edge.</summary>
    Flat,
}

/// <summary>Names of <see cref="EarlyRegime"/> values as they appear in files.</summary>
public static class EarlyRegimeNames
{
    /// <summary>"sharpness-reduction", "progressive-sharpening" or "flat" (the first two are the UV labels of uv-model.md section 8).</summary>
    /// <param name="regime">The regime.</param>
    public static string Label(this EarlyRegime regime) => regime switch
    {
        EarlyRegime.SharpnessReduction => "sharpness-reduction",
        EarlyRegime.ProgressiveSharpening => "progressive-sharpening",
        EarlyRegime.Flat => "flat",
        _ => throw new ArgumentOutOfRangeException(nameof(regime), regime, "Unknown regime."),
    };
}

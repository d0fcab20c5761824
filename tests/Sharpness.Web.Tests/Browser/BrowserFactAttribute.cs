namespace Sharpness.Web.Tests.Browser;

/// <summary>
/// A test that drives Debian's Chromium (/usr/bin/chromium). Skipped where it is not installed, except in
/// CI (CI=true), where .ci/run installs it and a missing browser is a failure.
/// </summary>
public sealed class BrowserFactAttribute : FactAttribute
{
    public const string Chromium = "/usr/bin/chromium";

    public BrowserFactAttribute()
    {
        if (!File.Exists(Chromium) && Environment.GetEnvironmentVariable("CI") != "true")
        {
            Skip = $"Chromium is not installed at {Chromium} (apt-get install chromium); the page is not checked in a browser.";
        }
    }
}

using Sharpness.Runs.Safety;

namespace Sharpness.Runs.Tests.Safety;

public class PathSegmentTests
{
    [Theory]
    [InlineData("uv-default", true)]
    [InlineData("lr=0.5_width=3-0123456789ab", true)]
    [InlineData("", false)]
    [InlineData(".", false)]
    [InlineData("..", false)]
    [InlineData("../outside/evil", false)]
    [InlineData("/tmp/evil", false)]
    [InlineData("a\\b", false)]
    [InlineData("tab\there", false)]
    [InlineData("nul\0", false)]
    public void OnlySingleSegmentsInsideTheFolderAreSafe(string name, bool safe)
    {
        Assert.Equal(safe, PathSegment.IsSafe(name));
        if (!safe)
        {
            var error = Assert.Throws<InvalidDataException>(() => PathSegment.Combine("/runs", name, "'m.json': runs[0].name"));
            Assert.DoesNotContain('\0', error.Message);
        }
    }

    [Fact]
    public void ANameLongerThanTheFileSystemAllowsIsNotSafe()
    {
        Assert.True(PathSegment.IsSafe(new string('a', 255)));
        Assert.False(PathSegment.IsSafe(new string('a', 256)));
        Assert.False(PathSegment.IsSafe(new string('é', 128)));
    }
}

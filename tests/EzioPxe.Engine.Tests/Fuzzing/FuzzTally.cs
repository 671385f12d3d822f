namespace EzioPxe.Engine.Tests.Fuzzing;

/// <summary>How far each fuzz input got, so a test can assert that its inputs reached the code under test.</summary>
internal sealed class FuzzTally
{
    private readonly Dictionary<string, int> _counts = new();

    public int Total { get; private set; }

    public void Count(string outcome)
    {
        Total++;
        _counts[outcome] = this[outcome] + 1;
    }

    public int this[string outcome] => _counts.GetValueOrDefault(outcome);

    /// <summary>Asserts that at least <paramref name="fraction"/> of all inputs ended in <paramref name="outcome"/>.</summary>
    public void AssertAtLeast(string outcome, double fraction)
        => Assert.True(this[outcome] >= fraction * Total, $"only {this[outcome]} of {Total} inputs ended in '{outcome}' (wanted {fraction:P0}); {this}");

    public override string ToString() => string.Join(", ", _counts.OrderBy(c => c.Key).Select(c => $"{c.Key}: {c.Value}"));
}

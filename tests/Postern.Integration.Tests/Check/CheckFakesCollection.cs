namespace Postern.Integration.Tests.Check;

/// <summary>
/// The check tests that bind their own fake servers run one after another: each runs a
/// `postern check` process with bounded waits, and running them side by side on a busy
/// machine only makes those waits race the load.
/// </summary>
[CollectionDefinition(Name)]
public sealed class CheckFakesCollection
{
    public const string Name = "postern check against fakes";
}

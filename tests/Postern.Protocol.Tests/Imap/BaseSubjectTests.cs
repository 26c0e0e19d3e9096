using Postern.Imap.Threading;
using Xunit;

namespace Postern.Protocol.Tests.Imap;

/// <summary>Base subject extraction, RFC 5256 2.1 steps 1 to 6.</summary>
public class BaseSubjectTests
{
    [Theory]
    [InlineData("hello", "hello", false)]
    [InlineData("Re: hello", "hello", true)]
    [InlineData("RE: Re: re[2]: hello", "hello", true)]
    [InlineData("Fw : hello", "hello", true)]
    [InlineData("FWD:hello", "hello", true)]
    [InlineData("[PATCH] hello", "hello", false)]
    [InlineData("[PATCH]", "[PATCH]", false)]
    [InlineData("[a][b] Re: hello", "hello", true)]
    [InlineData("Fwd: [list] Re: hello (fwd)", "hello", true)]
    [InlineData("hello (fwd) (FWD)  ", "hello", true)]
    [InlineData("[Fwd: Re: hello]", "hello", true)]
    [InlineData("[fwd: [fwd: hello] (fwd)]", "hello", true)]
    [InlineData("  hello\t \t world  ", "hello world", false)]
    [InlineData("Re:", "", true)]
    [InlineData("Reply: hello", "Reply: hello", false)]
    [InlineData("Re hello", "Re hello", false)]
    [InlineData("[unclosed Re: hello", "[unclosed Re: hello", false)]
    [InlineData(null, "", false)]
    public void Extracts(string? subject, string expected, bool reply)
    {
        var (s, r) = BaseSubject.Extract(subject);
        Assert.Equal(expected, s);
        Assert.Equal(reply, r);
    }

    [Fact]
    public void Comparison_folds_ascii_only()
    {
        Assert.Equal(0, BaseSubject.Comparer.Compare("Hello", "hELLO"));
        Assert.NotEqual(0, BaseSubject.Comparer.Compare("Ä", "ä"));
        Assert.True(BaseSubject.Comparer.Compare("apple", "Banana") < 0);
        Assert.Equal(BaseSubject.Comparer.GetHashCode("ABC"), BaseSubject.Comparer.GetHashCode("abc"));
    }
}

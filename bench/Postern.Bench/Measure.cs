namespace Postern.Bench;

/// <summary>One server's result for one workload: a value, or the failure with its error text.</summary>
public sealed record Measure(double? Value, string Detail, string? Error = null)
{
    public static Measure Fail(Exception e) => new(null, "", $"{e.GetType().Name}: {Oneline(e.Message)}");

    public static string Oneline(string s) => s.ReplaceLineEndings(" ").Replace("|", "/", StringComparison.Ordinal).Trim();
}

/// <summary>A table row. Lower-is-better values (ms, KB) get Dovecot/Postern, higher-is-better get Postern/Dovecot,
/// so the ratio always reads "how many times better Postern is" (&lt;1 = Dovecot better).</summary>
public sealed record Row(string Workload, string Unit, bool HigherIsBetter, Measure Postern, Measure Dovecot, string Notes)
{
    public string Ratio()
    {
        if (Postern.Value is not double p || Dovecot.Value is not double d || p <= 0 || d <= 0)
        {
            return "n/a";
        }

        return (HigherIsBetter ? p / d : d / p).ToString("F2");
    }
}

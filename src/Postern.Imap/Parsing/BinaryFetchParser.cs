using System.Globalization;

namespace Postern.Imap.Parsing;

/// <summary>
/// FETCH BINARY[section-binary]&lt;partial&gt;, BINARY.PEEK[...] and BINARY.SIZE[...] (RFC 3516 4.2):
/// the section is only part numbers; BINARY.SIZE takes no partial.
/// </summary>
public static class BinaryFetchParser
{
    public static bool IsBinaryName(string upperName) => upperName is "BINARY" or "BINARY.PEEK" or "BINARY.SIZE";

    /// <summary>Parses one item whose upper-cased name is <paramref name="upperName"/> and whose "[" is at <paramref name="bracket"/>.</summary>
    public static bool TryParse(string upperName, string text, int bracket, List<FetchItem> items, out string error)
    {
        error = "";
        int close = text.IndexOf(']', bracket);
        if (close < 0 || !FetchParser.TryParseSection(text[(bracket + 1)..close], out var section, out error) || section!.Text != SectionText.None)
        {
            error = "Invalid binary section";
            return false;
        }

        string rest = text[(close + 1)..];
        bool size = upperName == "BINARY.SIZE";
        long? start = null;
        long count = 0;
        if (rest.Length > 0)
        {
            int dot = rest.IndexOf('.');
            if (size || rest[0] != '<' || rest[^1] != '>' || dot < 0
                || !long.TryParse(rest.AsSpan(1, dot - 1), NumberStyles.None, CultureInfo.InvariantCulture, out long s)
                || !long.TryParse(rest.AsSpan(dot + 1, rest.Length - dot - 2), NumberStyles.None, CultureInfo.InvariantCulture, out long c)
                || c == 0)
            {
                error = "Invalid partial";
                return false;
            }

            start = s;
            count = c;
        }

        items.Add(new FetchItem(size ? FetchKind.BinarySize : FetchKind.Binary, section, Peek: upperName != "BINARY", start, count));
        return true;
    }
}

namespace Postern.Pop3.Parsing;

/// <summary>What <see cref="NumberParser.Parse"/> found.</summary>
internal enum NumberStatus
{
    /// <summary>A decimal number within the allowed range.</summary>
    Ok,

    /// <summary>Not a plain run of ASCII digits (signs, spaces, letters, empty).</summary>
    Invalid,

    /// <summary>Digits, but outside the allowed range (too small, or too large for the range).</summary>
    OutOfRange,
}

/// <summary>Strict parsing of the numeric arguments of LIST, RETR, DELE, TOP and UIDL.</summary>
/// <remarks>
/// Only ASCII digits are accepted: no sign, no spaces, no culture-specific digits, and never an
/// overflow however many digits arrive (RFC 1939 section 3: message numbers are decimal, 1-based).
/// </remarks>
internal static class NumberParser
{
    public static NumberStatus Parse(string text, int min, int max, out int value)
    {
        value = 0;
        if (text.Length == 0)
        {
            return NumberStatus.Invalid;
        }

        long acc = 0;
        bool overflow = false;
        foreach (char c in text)
        {
            if (c is < '0' or > '9')
            {
                return NumberStatus.Invalid;
            }

            // Saturate instead of wrapping: 99999999999 is "too large", never a small number.
            if (!overflow)
            {
                acc = (acc * 10) + (c - '0');
                overflow = acc > int.MaxValue;
            }
        }

        if (overflow || acc < min || acc > max)
        {
            return NumberStatus.OutOfRange;
        }

        value = (int)acc;
        return NumberStatus.Ok;
    }
}

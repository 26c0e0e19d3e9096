using System.Text;

namespace Postern.Storage.Accounts;

/// <summary>Decodes a SASL PLAIN message (RFC 4616): [authzid] NUL authcid NUL passwd.</summary>
public static class SaslPlain
{
    /// <summary>Decodes base64 PLAIN credentials; false when malformed or when authzid names another user.</summary>
    public static bool TryDecode(string base64, out string user, out string password)
    {
        user = password = "";
        if (base64.Length > 4096)
        {
            return false;
        }

        byte[] raw;
        try
        {
            raw = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return false;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(raw);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        var parts = text.Split('\0');
        if (parts.Length != 3 || parts[1].Length == 0)
        {
            return false;
        }

        // We do not support acting as another user: an authzid must be empty or the same user.
        if (parts[0].Length > 0 && !string.Equals(parts[0], parts[1], StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        user = parts[1];
        password = parts[2];
        return true;
    }
}

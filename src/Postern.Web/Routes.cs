namespace Postern.Web;

/// <summary>What a request path asks for. Paths match case-insensitively: Outlook sends /Autodiscover/Autodiscover.xml and other casings.</summary>
public enum Route
{
    NotFound,
    Page,
    Autoconfig,
    AutodiscoverXml,
    AutodiscoverJson,
    Pacc,
    AppleProfile,
}

public static class Routes
{
    public const string AutoconfigPath = "/mail/config-v1.1.xml";
    public const string WellKnownAutoconfigPath = "/.well-known/autoconfig/mail/config-v1.1.xml";
    public const string AutodiscoverPath = "/autodiscover/autodiscover.xml";
    public const string AutodiscoverJsonPath = "/autodiscover/autodiscover.json";
    public const string PaccPath = "/.well-known/user-agent-configuration.json";
    public const string ProfilePath = "/profile.mobileconfig";
    public const string ProfilePrefix = "/profile/";
    public const string ProfileSuffix = ".mobileconfig";

    /// <summary>Maps a path to a route; for /profile/ADDRESS.mobileconfig and autodiscover.json/v1.0/ADDRESS also returns the address part.</summary>
    public static Route Match(string path, out string? pathAddress)
    {
        pathAddress = null;
        if (path is "/" or "" || Is(path, "/index.html"))
        {
            return Route.Page;
        }

        if (Is(path, AutoconfigPath) || Is(path, WellKnownAutoconfigPath))
        {
            return Route.Autoconfig;
        }

        if (Is(path, AutodiscoverPath))
        {
            return Route.AutodiscoverXml;
        }

        if (Is(path, AutodiscoverJsonPath))
        {
            return Route.AutodiscoverJson;
        }

        // Outlook's v2 form: /autodiscover/autodiscover.json/v1.0/ADDRESS?Protocol=...
        const string v2 = AutodiscoverJsonPath + "/v1.0/";
        if (path.StartsWith(v2, StringComparison.OrdinalIgnoreCase) && path.Length > v2.Length)
        {
            pathAddress = Uri.UnescapeDataString(path[v2.Length..]);
            return Route.AutodiscoverJson;
        }

        if (Is(path, PaccPath))
        {
            return Route.Pacc;
        }

        if (Is(path, ProfilePath))
        {
            return Route.AppleProfile;
        }

        if (path.StartsWith(ProfilePrefix, StringComparison.OrdinalIgnoreCase) && path.EndsWith(ProfileSuffix, StringComparison.OrdinalIgnoreCase)
            && path.Length > ProfilePrefix.Length + ProfileSuffix.Length)
        {
            pathAddress = Uri.UnescapeDataString(path[ProfilePrefix.Length..^ProfileSuffix.Length]);
            return Route.AppleProfile;
        }

        return Route.NotFound;
    }

    private static bool Is(string path, string expected) => string.Equals(path, expected, StringComparison.OrdinalIgnoreCase);
}

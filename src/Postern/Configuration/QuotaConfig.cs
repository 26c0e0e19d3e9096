using System.Globalization;
using Microsoft.Extensions.Configuration;
using Postern.Cli;
using Postern.Storage.Quotas;

namespace Postern.Configuration;

/// <summary>
/// Reads the Quota section key by key, like the endpoints: a limit that does not parse must stop the
/// server with a clear sentence, not be dropped (that would silently mean "unlimited").
/// </summary>
public static class QuotaConfig
{
    /// <summary>Largest limit accepted, so MB to octets never overflows (1 PiB is far beyond any mailbox).</summary>
    private const long MaxMegabytes = 1L << 30;

    public static QuotaPolicy Read(IConfigurationSection section)
    {
        long defaultLimit = 0;
        var users = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            if (child.Key.Equals("DefaultStorageMB", StringComparison.OrdinalIgnoreCase))
            {
                defaultLimit = Megabytes(child.Value, "Quota:DefaultStorageMB");
            }
            else if (child.Key.Equals("Users", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var user in child.GetChildren())
                {
                    if (!user.Key.Contains('@', StringComparison.Ordinal) || user.GetChildren().Any())
                    {
                        throw new UserError($"Quota:Users has the key '{user.Key}'; use an account address with its limit in MB, e.g. \"alice@example.org\": 500.");
                    }

                    users[user.Key] = Megabytes(user.Value, $"Quota:Users:{user.Key}");
                }
            }
            else
            {
                throw new UserError($"The configuration section Quota has an unknown key '{child.Key}'; use DefaultStorageMB and Users.");
            }
        }

        return new QuotaPolicy(defaultLimit, users);
    }

    private static long Megabytes(string? text, string key)
    {
        if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long mb) || mb > MaxMegabytes)
        {
            throw new UserError($"{key} is '{text}', which is not a whole number of megabytes (0 means unlimited).");
        }

        return mb * QuotaPolicy.BytesPerMegabyte;
    }
}

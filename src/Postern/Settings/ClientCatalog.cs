using System.Text.Json;
using System.Text.Json.Serialization;
using Postern.Net;

namespace Postern.Settings;

/// <summary>One email program and its words for the connection-security modes (client-terms.json).</summary>
public sealed record ClientProgram(
    string Id,
    string Name,
    IReadOnlyList<string> Aliases,
    string Field,
    string ImplicitTls,
    string StartTls,
    string None,
    string PortBehaviour,
    string? Warning,
    bool Confirmed,
    string Source)
{
    public string Label(TlsMode mode) => mode == TlsMode.Implicit ? ImplicitTls : StartTls;
}

/// <summary>
/// The terminology table: what each popular email program calls implicit TLS, STARTTLS and no
/// encryption. It is data (Settings/client-terms.json, embedded) so it is reviewed like code and
/// every entry carries its source and whether it is confirmed.
/// </summary>
public static class ClientCatalog
{
    private static readonly Lazy<IReadOnlyList<ClientProgram>> Loaded = new(Load);

    public static IReadOnlyList<ClientProgram> All => Loaded.Value;

    /// <summary>The three programs the `serve` table shows.</summary>
    public static IReadOnlyList<ClientProgram> ForServeTable => [Find("thunderbird")!, Find("outlook")!, Find("apple-mail")!];

    /// <summary>Finds a program by id, alias or name (case-insensitive); null if none.</summary>
    public static ClientProgram? Find(string name) => All.FirstOrDefault(p =>
        string.Equals(p.Id, name, StringComparison.OrdinalIgnoreCase) ||
        string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) ||
        p.Aliases.Any(a => string.Equals(a, name, StringComparison.OrdinalIgnoreCase)));

    private sealed record Document([property: JsonPropertyName("programs")] List<ClientProgram> Programs);

    private static IReadOnlyList<ClientProgram> Load()
    {
        using var stream = typeof(ClientCatalog).Assembly.GetManifestResourceStream("client-terms.json")
            ?? throw new InvalidOperationException("client-terms.json is not embedded in the executable.");
        var doc = JsonSerializer.Deserialize<Document>(stream, new JsonSerializerOptions { PropertyNameCaseInsensitive = true })
            ?? throw new InvalidOperationException("client-terms.json is empty.");
        return doc.Programs;
    }
}

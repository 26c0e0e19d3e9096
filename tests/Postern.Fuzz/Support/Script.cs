using System.Text;

namespace Postern.Fuzz.Support;

/// <summary>Builds session scripts: a fixed preamble that reaches a state, then the fuzz input.</summary>
public static class Script
{
    public static byte[] Of(string preamble, ReadOnlySpan<byte> input, string suffix = "")
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(preamble) + input.Length + Encoding.UTF8.GetByteCount(suffix)];
        int n = Encoding.UTF8.GetBytes(preamble, bytes);
        input.CopyTo(bytes.AsSpan(n));
        Encoding.UTF8.GetBytes(suffix, bytes.AsSpan(n + input.Length));
        return bytes;
    }

    /// <summary>AUTH PLAIN's initial response for alice (RFC 4616).</summary>
    public static string PlainLogin => Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{Fixtures.User}\0{Fixtures.Password}"));
}

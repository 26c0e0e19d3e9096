using System.Net.Security;
using System.Reflection;
using System.Runtime.InteropServices;

namespace Postern.Net;

/// <summary>
/// TLS exporter keying material (RFC 5705, RFC 8446 7.5) for an authenticated SslStream, needed
/// by the RFC 9266 "tls-exporter" channel binding of SCRAM-SHA-256-PLUS.
/// </summary>
/// <remarks>
/// .NET does not expose the exporter (dotnet/runtime#112529). On Linux, SslStream sits on OpenSSL,
/// and its private security context is the OpenSSL SSL* handle, so we ask OpenSSL directly with
/// SSL_export_keying_material. To be safe this only uses a libssl the runtime has already loaded
/// (dlopen with RTLD_NOLOAD): the SSL* is then certainly that library's. On any other platform or
/// runtime layout it returns null and SCRAM-PLUS falls back to tls-server-end-point.
/// </remarks>
public static unsafe class TlsExporter
{
    /// <summary>The label RFC 9266 2 defines for the channel binding.</summary>
    public const string ChannelBindingLabel = "EXPORTER-Channel-Binding";

    private const int RtldNow = 2;
    private const int RtldNoLoad = 4;

    private static readonly FieldInfo? ContextField =
        typeof(SslStream).GetField("_securityContext", BindingFlags.NonPublic | BindingFlags.Instance);

    private static readonly Lazy<IntPtr> ExportFunction = new(FindExportFunction);

    /// <summary>
    /// <paramref name="length"/> bytes exported with <paramref name="label"/> and an empty context
    /// (RFC 9266: 32 bytes, empty context), or null when unavailable here.
    /// </summary>
    public static byte[]? TryExport(SslStream ssl, string label = ChannelBindingLabel, int length = 32)
    {
        if (!OperatingSystem.IsLinux() || ContextField?.GetValue(ssl) is not SafeHandle handle || handle.IsInvalid || ExportFunction.Value == IntPtr.Zero)
        {
            return null;
        }

        bool added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            var output = new byte[length];
            var labelBytes = System.Text.Encoding.ASCII.GetBytes(label);
            var export = (delegate* unmanaged<IntPtr, byte*, nuint, byte*, nuint, byte*, nuint, int, int>)ExportFunction.Value;
            int ok;
            byte empty = 0;
            fixed (byte* o = output)
            fixed (byte* l = labelBytes)
            {
                // use_context = 1 with a zero-length context: RFC 9266 says "empty context", which
                // TLS 1.2 distinguishes from "no context"; TLS 1.3 treats both alike.
                ok = export(handle.DangerousGetHandle(), o, (nuint)length, l, (nuint)labelBytes.Length, &empty, 0, 1);
            }

            return ok == 1 ? output : null;
        }
        catch (ObjectDisposedException)
        {
            return null;
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static IntPtr FindExportFunction()
    {
        if (!OperatingSystem.IsLinux())
        {
            return IntPtr.Zero;
        }

        try
        {
            foreach (string name in new[] { "libssl.so.3", "libssl.so.1.1" })
            {
                IntPtr lib = dlopen(name, RtldNow | RtldNoLoad);
                if (lib != IntPtr.Zero && NativeLibrary.TryGetExport(lib, "SSL_export_keying_material", out IntPtr fn))
                {
                    return fn;
                }
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // No libc dlopen to ask: no exporter.
        }

        return IntPtr.Zero;
    }

    [DllImport("libc", EntryPoint = "dlopen")]
    private static extern IntPtr dlopen([MarshalAs(UnmanagedType.LPStr)] string file, int mode);
}

using System.Text;
using System.Xml;

namespace Postern.Web.Documents;

/// <summary>Writes XML through XmlWriter, so every value is escaped by the writer, never by hand.</summary>
internal static class XmlOutput
{
    public static byte[] Write(Action<XmlWriter> body)
    {
        using var ms = new MemoryStream();
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true, NewLineChars = "\n" };
        using (var w = XmlWriter.Create(ms, settings))
        {
            w.WriteStartDocument();
            body(w);
            w.WriteEndDocument();
        }

        return ms.ToArray();
    }
}

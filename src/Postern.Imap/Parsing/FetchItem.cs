namespace Postern.Imap.Parsing;

/// <summary>The message data items FETCH can ask for (RFC 3501 6.4.5).</summary>
public enum FetchKind
{
    Flags,
    Uid,
    InternalDate,
    Rfc822Size,
    Envelope,
    BodyStructure,

    /// <summary>BODY without a section: the non-extensible BODYSTRUCTURE.</summary>
    Body,

    /// <summary>BODY[section]&lt;partial&gt; or BODY.PEEK[...].</summary>
    Section,
    Rfc822,
    Rfc822Header,
    Rfc822Text,

    /// <summary>MODSEQ (RFC 7162 3.1.5).</summary>
    ModSeq,

    /// <summary>BINARY[part]&lt;partial&gt; or BINARY.PEEK[...] (RFC 3516): the part with its transfer encoding undone.</summary>
    Binary,

    /// <summary>BINARY.SIZE[part] (RFC 3516): the decoded size.</summary>
    BinarySize,
}

/// <summary>What follows the part number in a section: "", HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT or MIME.</summary>
public enum SectionText
{
    None,
    Header,
    HeaderFields,
    HeaderFieldsNot,
    Text,
    Mime,
}

/// <summary>A body section such as "1.2.HEADER.FIELDS (SUBJECT)".</summary>
/// <param name="Path">Part numbers, outermost first; empty for the whole message.</param>
/// <param name="Fields">Header field names for HEADER.FIELDS[.NOT], upper-cased.</param>
public sealed record BodySection(int[] Path, SectionText Text, string[] Fields)
{
    /// <summary>The section as it is echoed back in the FETCH response, e.g. "1.HEADER.FIELDS (SUBJECT)".</summary>
    public string Spec
    {
        get
        {
            string path = string.Join('.', Path);
            string text = Text switch
            {
                SectionText.Header => "HEADER",
                SectionText.HeaderFields => "HEADER.FIELDS (" + string.Join(' ', Fields) + ")",
                SectionText.HeaderFieldsNot => "HEADER.FIELDS.NOT (" + string.Join(' ', Fields) + ")",
                SectionText.Text => "TEXT",
                SectionText.Mime => "MIME",
                _ => "",
            };
            return path.Length > 0 && text.Length > 0 ? path + "." + text : path + text;
        }
    }
}

/// <summary>One requested data item.</summary>
/// <param name="Peek">True for BODY.PEEK and RFC822.HEADER: do not set \Seen.</param>
/// <param name="PartialStart">The origin octet of "&lt;start.count&gt;", or null for no partial.</param>
public sealed record FetchItem(FetchKind Kind, BodySection? Section = null, bool Peek = false, long? PartialStart = null, long PartialCount = 0)
{
    /// <summary>True when sending this item sets \Seen (RFC 3501 6.4.5: BODY[...], RFC822, RFC822.TEXT; RFC 3516 4.2: BINARY[...]).</summary>
    public bool SetsSeen => !Peek && Kind is FetchKind.Section or FetchKind.Rfc822 or FetchKind.Rfc822Text or FetchKind.Binary;
}

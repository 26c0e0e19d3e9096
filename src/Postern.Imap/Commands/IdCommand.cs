using Postern.Imap.Parsing;
using Postern.Imap.Session;

namespace Postern.Imap.Commands;

/// <summary>
/// ID (RFC 2971): the client's list is checked against the RFC's limits (at most
/// <see cref="ImapOptions.MaxIdParameters"/> pairs, fields of 30 octets, values of 1024) and
/// otherwise ignored; we tell our name and nothing that would help an attacker (no version).
/// </summary>
public sealed class IdCommand : IImapCommand
{
    private const int MaxField = 30;
    private const int MaxValue = 1024;

    public Task ExecuteAsync(ImapSession session, ImapCommand command, CancellationToken ct)
    {
        Arguments.Count(command, 1, 1);
        var arg = command.Args[0];
        if (!arg.IsNil)
        {
            if (arg.Kind != ImapTokenKind.List || arg.Items.Count % 2 != 0)
            {
                throw ImapException.Bad("Expected NIL or a list of field/value pairs");
            }

            if (arg.Items.Count / 2 > session.Options.MaxIdParameters)
            {
                throw ImapException.Bad("Too many ID parameters");
            }

            for (int i = 0; i < arg.Items.Count; i += 2)
            {
                var field = arg.Items[i];
                var value = arg.Items[i + 1];
                if (field.Kind != ImapTokenKind.String || field.Text.Length > MaxField)
                {
                    throw ImapException.Bad("Invalid ID field");
                }

                if (!(value.IsNil || (value.Kind == ImapTokenKind.String && value.Text.Length <= MaxValue)))
                {
                    throw ImapException.Bad("Invalid ID value");
                }
            }
        }

        session.Untagged("ID (\"name\" \"Postern\")");
        session.Ok(command.Tag, "ID completed");
        return Task.CompletedTask;
    }
}

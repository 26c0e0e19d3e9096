using System.Text;

namespace Postern.Cli;

/// <summary>Reads a password from standard input (never from argv, where other users can see it).</summary>
public static class PasswordInput
{
    public const int MinLength = 8;

    public static string Read(string address)
    {
        string? password;
        if (Console.IsInputRedirected)
        {
            password = Console.In.ReadLine();
        }
        else
        {
            password = Prompt($"Password for {address}: ");
            if (Prompt("Repeat it: ") != password)
            {
                throw new UserError("The two passwords differ; nothing was changed.");
            }
        }

        if (string.IsNullOrEmpty(password))
        {
            throw new UserError("No password was given on standard input (e.g. echo 'the password' | postern user add ADDRESS).");
        }

        if (password.Length < MinLength)
        {
            throw new UserError($"The password is too short: use at least {MinLength} characters.");
        }

        return password;
    }

    private static string Prompt(string text)
    {
        Console.Error.Write(text);
        var sb = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (sb.Length > 0)
                {
                    sb.Length--;
                }

                continue;
            }

            sb.Append(key.KeyChar);
        }

        Console.Error.WriteLine();
        return sb.ToString();
    }

    /// <summary>A random password for the first user: 20 characters from an unambiguous alphabet (about 100 bits).</summary>
    public static string Generate()
    {
        const string alphabet = "abcdefghijkmnpqrstuvwxyzACDEFGHJKLMNPQRTUVWXY234679";
        return System.Security.Cryptography.RandomNumberGenerator.GetString(alphabet, 20);
    }
}

namespace Postern.Cli;

/// <summary>Runs command actions, turning user mistakes into one line on stderr and exit status 1.</summary>
public static class CliRunner
{
    public static Task<int> Run(Func<Task> action) => Run(async () =>
    {
        await action();
        return 0;
    });

    public static async Task<int> Run(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (UserError e)
        {
            Console.Error.WriteLine($"postern: {e.Message}");
            return 1;
        }
        catch (UnauthorizedAccessException e)
        {
            // Typically a data folder created by another user (e.g. root) and run as someone else.
            Console.Error.WriteLine($"postern: permission denied: {e.Message} Run Postern as the user who owns the data folder.");
            return 1;
        }
    }

    /// <summary>Store refusals (unknown domain, accounts still present, duplicates) are user mistakes too.</summary>
    public static async Task<T> Admin<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
        catch (InvalidOperationException e)
        {
            throw new UserError(e.Message);
        }
    }
}

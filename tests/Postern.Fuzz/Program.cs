using Postern.Fuzz;

// Usage: dotnet Postern.Fuzz.dll TARGET             (under afl-fuzz: see run.sh)
//        dotnet Postern.Fuzz.dll TARGET FILE...     (replay files once, e.g. an afl crash)
if (args.Length == 0 || FuzzTargets.Find(args[0]) is not { } target)
{
    Console.Error.WriteLine($"Usage: Postern.Fuzz TARGET [FILE...]; targets: {string.Join(", ", FuzzTargets.All.Select(t => t.Name))}");
    return 2;
}

if (args.Length > 1)
{
    // Not under afl: there the instrumented code may only run once SharpFuzz has attached the
    // coverage map, and SharpFuzz already runs the first input twice to absorb the start-up cost.
    FuzzTargets.WarmUp(target);
    foreach (string file in args.Skip(1))
    {
        long start = Environment.TickCount64;
        target.Run(File.ReadAllBytes(file));
        Console.WriteLine($"{file}: {Environment.TickCount64 - start} ms");
    }

    return 0;
}

// Out of process: SharpFuzz runs the target in a child process that it restarts when it dies, so
// a stack overflow or a hang killed by afl's -t does not end the campaign (SharpFuzz's
// Fuzzer.OutOfProcess remarks). The stream holds one input.
// POSTERN_FUZZ_LOG (set by run.sh) collects each crash's exception, since afl keeps only the input.
string? crashLog = Environment.GetEnvironmentVariable("POSTERN_FUZZ_LOG");
SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    try
    {
        target.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }
    catch (Exception e) when (crashLog is not null)
    {
        File.AppendAllText(crashLog, $"==== {DateTime.UtcNow:O} {Convert.ToBase64String(buffer.ToArray())}{Environment.NewLine}{e}{Environment.NewLine}");
        throw;
    }
});
return 0;

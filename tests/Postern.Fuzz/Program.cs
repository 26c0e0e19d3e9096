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
    foreach (string file in args.Skip(1))
    {
        Console.WriteLine(file);
        target.Run(File.ReadAllBytes(file));
    }

    return 0;
}

// Out of process: SharpFuzz runs the target in a child process that it restarts when it dies, so
// a stack overflow or a hang killed by afl's -t does not end the campaign (SharpFuzz's
// Fuzzer.OutOfProcess remarks). The stream holds one input.
SharpFuzz.Fuzzer.OutOfProcess.Run(stream =>
{
    using var buffer = new MemoryStream();
    stream.CopyTo(buffer);
    target.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
});
return 0;

using System.Reflection;
using System.Xml.Linq;
using Microsoft.Extensions.Logging;
using Postern.Integration.Tests.Support;
using Postern.Net.Diagnostics;

namespace Postern.Integration.Tests.Diagnostics;

/// <summary>
/// Issue 9 point 3: one log event id names one event. Every [LoggerMessage] of every assembly under
/// src/ is collected by reflection and checked against the table in src/EventIdRanges.cs (linked
/// into this project, so the test reads the very table the assemblies are built with).
/// </summary>
public sealed class EventIdTests
{
    [Fact]
    public void Every_event_id_is_used_once_and_lies_in_its_assemblys_range()
    {
        var events = AllEvents();
        var problems = new List<string>();
        foreach (var same in events.GroupBy(e => e.Id).Where(g => g.Count() > 1))
        {
            problems.Add($"event id {same.Key} is used by {string.Join(" and by ", same.Select(e => e.Where))}");
        }

        foreach (var e in events)
        {
            var range = RangeOf(e.Assembly);
            if (e.Id < 0)
            {
                problems.Add($"{e.Where} has no EventId; give it one from {range}");
            }
            else if (!range.Contains(e.Id))
            {
                problems.Add($"{e.Where} has event id {e.Id}, outside {range}");
            }
        }

        Assert.True(problems.Count == 0, "Event ids (see src/EventIdRanges.cs):\n" + string.Join("\n", problems));
    }

    [Fact]
    public void The_table_has_one_range_per_src_assembly_and_the_ranges_do_not_overlap()
    {
        var assemblies = SrcAssemblyNames();
        foreach (var name in assemblies)
        {
            Assert.True(EventIdRanges.All.Count(r => Same(r.Assembly, name)) == 1, $"src assembly {name} needs exactly one range in src/EventIdRanges.cs");
        }

        foreach (var r in EventIdRanges.All)
        {
            Assert.True(assemblies.Any(a => Same(a, r.Assembly)), $"src/EventIdRanges.cs has a range for {r.Assembly}, which is no project under src/");
            Assert.True(r.First <= r.Last, $"{r} is empty");
            var overlap = EventIdRanges.All.FirstOrDefault(o => o != r && o.First <= r.Last && r.First <= o.Last);
            Assert.True(overlap is null, $"{r} overlaps {overlap}");
        }
    }

    [Fact]
    public void Client_setting_mistakes_keep_the_ids_the_README_gives_operators()
    {
        // README "Wrong client settings in the log": 110 to 116, in this order.
        ClientMistake[] documented =
        [
            ClientMistake.TlsOnStartTlsPort, ClientMistake.PlaintextOnImplicitTlsPort, ClientMistake.SilentOnImplicitTlsPort,
            ClientMistake.OutdatedTls, ClientMistake.CertificateRejected, ClientMistake.PasswordBeforeTls, ClientMistake.AuthOnRelayPort,
        ];
        Assert.Equal(documented.Length, Enum.GetValues<ClientMistake>().Length);
        for (int i = 0; i < documented.Length; i++)
        {
            Assert.Equal(110 + i, ClientMistakes.EventIdOf(documented[i]).Id);
        }
    }

    private sealed record LogEvent(string Assembly, string Where, int Id);

    /// <summary>
    /// The [LoggerMessage] methods of every src assembly, plus the client-mistake events, which
    /// Postern.Net defines at run time (one per <see cref="ClientMistake"/>) rather than by attribute.
    /// </summary>
    private static List<LogEvent> AllEvents()
    {
        var events = new List<LogEvent>();
        foreach (var name in SrcAssemblyNames())
        {
            var assembly = Assembly.Load(new AssemblyName(name));
            foreach (var type in assembly.GetTypes())
            {
                const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly;
                foreach (var method in type.GetMethods(all))
                {
                    if (method.GetCustomAttribute<LoggerMessageAttribute>() is { } a)
                    {
                        events.Add(new LogEvent(name, $"{type.FullName}.{method.Name}", a.EventId));
                    }
                }
            }
        }

        events.AddRange(Enum.GetValues<ClientMistake>().Select(k =>
            new LogEvent(typeof(ClientMistakes).Assembly.GetName().Name!, $"{typeof(ClientMistakes).FullName}.Report({k})", ClientMistakes.EventIdOf(k).Id)));
        return events;
    }

    private static EventIdRange RangeOf(string assembly) =>
        EventIdRanges.All.SingleOrDefault(r => Same(r.Assembly, assembly))
        ?? throw new Xunit.Sdk.XunitException($"src assembly {assembly} has no range in src/EventIdRanges.cs");

    /// <summary>The assembly name of every project under src/ (its AssemblyName, else the project file's name).</summary>
    private static List<string> SrcAssemblyNames()
    {
        var src = Repository.PathOf("src");
        var names = Directory.GetFiles(src, "*.csproj", SearchOption.AllDirectories)
            .Select(p => XDocument.Load(p).Descendants("AssemblyName").FirstOrDefault()?.Value ?? Path.GetFileNameWithoutExtension(p))
            .ToList();
        Assert.True(names.Count >= 8, $"expected the src projects under {src}, found {names.Count}");
        return names;
    }

    private static bool Same(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}

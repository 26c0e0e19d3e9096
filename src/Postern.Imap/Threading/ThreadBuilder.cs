using System.Text;

namespace Postern.Imap.Threading;

/// <summary>
/// The THREAD algorithms of RFC 5256 3: ORDEREDSUBJECT and REFERENCES. Every walk over the tree
/// is a loop with an explicit stack, so a reference chain 100,000 messages deep is no risk to the
/// call stack; the only bounded walk is the loop check (see <see cref="MaxAncestorWalk"/>).
/// </summary>
public static class ThreadBuilder
{
    /// <summary>
    /// How far up the loop check climbs before it gives up and refuses the link. It only climbs
    /// when the would-be child already has children, which real mail rarely needs deep.
    /// </summary>
    private const int MaxAncestorWalk = 1000;

    private sealed class Container
    {
        public MessageFacts? Message { get; set; }

        public Container? Parent { get; set; }

        public List<Container> Children { get; set; } = [];

        /// <summary>Sort key of step 6: own date, or a dummy's first child's.</summary>
        public (DateTimeOffset Date, int Index) Key { get; set; }
    }

    /// <summary>ORDEREDSUBJECT: group by base subject, each group's first message (by sent date) the parent of the rest.</summary>
    public static string OrderedSubject(IReadOnlyList<MessageFacts> messages)
    {
        var sorted = messages.OrderBy(m => m.BaseSubject, BaseSubject.Comparer).ThenBy(m => m.SentDate.UtcDateTime).ThenBy(m => m.Index).ToList();
        var roots = new List<Container>();
        Container? current = null;
        foreach (var m in sorted)
        {
            var c = new Container { Message = m, Key = (m.SentDate, m.Index) };
            if (current is not null && BaseSubject.Comparer.Equals(current.Message!.BaseSubject, m.BaseSubject))
            {
                c.Parent = current;
                current.Children.Add(c);
            }
            else
            {
                current = c;
                roots.Add(c);
            }
        }

        roots.Sort(CompareKeys);
        return Format(roots);
    }

    /// <summary>REFERENCES: the threading of RFC 5256 3 steps 1 to 7, on Message-ID and References.</summary>
    public static string References(IReadOnlyList<MessageFacts> messages)
    {
        // (1) Link messages by their references.
        var table = new Dictionary<string, Container>(StringComparer.Ordinal);
        var all = new List<Container>();
        Container Lookup(string id)
        {
            if (!table.TryGetValue(id, out var c))
            {
                c = new Container();
                table[id] = c;
                all.Add(c);
            }

            return c;
        }

        foreach (var m in messages)
        {
            Container self;
            if (m.MessageId is { } id && !(table.TryGetValue(id, out var existing) && existing.Message is not null))
            {
                self = Lookup(id);
                self.Message = m;
            }
            else
            {
                // (1A) No Message-ID, or a duplicate one: the message stands on its own.
                self = new Container { Message = m };
                all.Add(self);
            }

            // (1B) Each reference is the parent of the next, unless already parented or a loop.
            Container? previous = null;
            foreach (string r in m.References)
            {
                var c = Lookup(r);
                if (previous is not null && c.Parent is null && !WouldLoop(previous, c))
                {
                    Link(previous, c);
                }

                previous = c;
            }

            // (1C) The last reference (or none) is this message's parent: its own References
            // outrank a parent inferred from another message's, so that link is broken even when
            // the new one is refused because it would close a loop (as Dovecot does).
            Unlink(self);
            if (previous is not null && !WouldLoop(previous, self))
            {
                Link(previous, self);
            }
        }

        // (2) + (3) The root set; the id table is no longer needed.
        var roots = all.Where(c => c.Parent is null).ToList();
        table.Clear();

        // (4) Prune dummies.
        roots = Prune(roots);

        // (5) Gather roots that share a base subject.
        roots = GroupBySubject(roots);

        // (6) + (7) Sort siblings, then the threads, by sent date.
        SortTree(roots);
        return Format(roots);
    }

    /// <summary>True when making <paramref name="child"/> a child of <paramref name="parent"/> would close a loop.</summary>
    private static bool WouldLoop(Container parent, Container child)
    {
        if (parent == child)
        {
            return true;
        }

        if (child.Children.Count == 0)
        {
            // A container without children is nobody's ancestor.
            return false;
        }

        int steps = 0;
        for (var p = parent.Parent; p is not null; p = p.Parent)
        {
            if (p == child || ++steps > MaxAncestorWalk)
            {
                return true;
            }
        }

        return false;
    }

    private static void Link(Container parent, Container child)
    {
        child.Parent = parent;
        parent.Children.Add(child);
    }

    private static void Unlink(Container c)
    {
        if (c.Parent is { } p)
        {
            p.Children.Remove(c);
            c.Parent = null;
        }
    }

    /// <summary>Every container below <paramref name="roots"/>, parents before children (iterative).</summary>
    private static List<Container> PreOrder(List<Container> roots)
    {
        var order = new List<Container>();
        var stack = new Stack<Container>(roots);
        while (stack.Count > 0)
        {
            var c = stack.Pop();
            order.Add(c);
            foreach (var child in c.Children)
            {
                stack.Push(child);
            }
        }

        return order;
    }

    /// <summary>
    /// (4) Dummies without children go; dummies with children give them to their own parent,
    /// except at the root where only a single child is promoted. Children are handled before
    /// their parents (reverse pre-order), so spliced-in children are already pruned.
    /// </summary>
    private static List<Container> Prune(List<Container> roots)
    {
        var order = PreOrder(roots);
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var c = order[i];
            if (c.Children.Exists(ch => ch.Message is null))
            {
                var kept = new List<Container>(c.Children.Count);
                foreach (var ch in c.Children)
                {
                    if (ch.Message is not null)
                    {
                        kept.Add(ch);
                        continue;
                    }

                    foreach (var grand in ch.Children)
                    {
                        grand.Parent = c;
                        kept.Add(grand);
                    }
                }

                c.Children = kept;
            }
        }

        var result = new List<Container>(roots.Count);
        foreach (var r in roots)
        {
            if (r.Message is not null || r.Children.Count > 1)
            {
                result.Add(r);
            }
            else if (r.Children.Count == 1)
            {
                r.Children[0].Parent = null;
                result.Add(r.Children[0]);
            }
        }

        return result;
    }

    private static MessageFacts? SubjectSource(Container c) => c.Message ?? (c.Children.Count > 0 ? c.Children[0].Message : null);

    /// <summary>(5) Threads whose roots share a base subject are merged (RFC 5256 3, step 5 A-C).</summary>
    private static List<Container> GroupBySubject(List<Container> roots)
    {
        var table = new Dictionary<string, Container>(BaseSubject.Comparer);
        foreach (var r in roots)
        {
            if (SubjectSource(r) is not { BaseSubject.Length: > 0 } m)
            {
                continue;
            }

            if (!table.TryGetValue(m.BaseSubject, out var old)
                || (r.Message is null && old.Message is not null)
                || (old.Message is { IsReplyOrForward: true } && r.Message is { IsReplyOrForward: false }))
            {
                table[m.BaseSubject] = r;
            }
        }

        var slots = new Dictionary<Container, int>(ReferenceEqualityComparer.Instance);
        var result = new List<Container?>(roots);
        for (int i = 0; i < result.Count; i++)
        {
            slots[result[i]!] = i;
        }

        for (int i = 0; i < result.Count; i++)
        {
            var r = result[i];
            if (r is null || SubjectSource(r) is not { BaseSubject.Length: > 0 } m || !table.TryGetValue(m.BaseSubject, out var t) || t == r)
            {
                continue;
            }

            result[i] = null;
            if (t.Message is null && r.Message is null)
            {
                foreach (var ch in r.Children)
                {
                    Link(t, ch);
                }

                r.Children = [];
            }
            else if (t.Message is null)
            {
                Link(t, r);
            }
            else if (r.Message is null)
            {
                // Only reachable if the table kept a message over a dummy; keep the dummy as the root.
                int ti = slots[t];
                Link(r, t);
                result[ti] = r;
                slots[r] = ti;
                table[m.BaseSubject] = r;
            }
            else if (!t.Message.IsReplyOrForward && r.Message.IsReplyOrForward)
            {
                Link(t, r);
            }
            else
            {
                var dummy = new Container();
                int ti = slots[t];
                Link(dummy, t);
                Link(dummy, r);
                result[ti] = dummy;
                slots[dummy] = ti;
                table[m.BaseSubject] = dummy;
            }
        }

        return result.Where(c => c is not null).ToList()!;
    }

    /// <summary>(6) Siblings by sent date, children before parents; a dummy dates from its first child. (7) Then the roots.</summary>
    private static void SortTree(List<Container> roots)
    {
        var order = PreOrder(roots);
        for (int i = order.Count - 1; i >= 0; i--)
        {
            var c = order[i];
            c.Children.Sort(CompareKeys);
            c.Key = c.Message is { } m ? (m.SentDate, m.Index) : c.Children.Count > 0 ? c.Children[0].Key : (DateTimeOffset.MaxValue, int.MaxValue);
        }

        roots.Sort(CompareKeys);
    }

    private static int CompareKeys(Container a, Container b)
    {
        int d = a.Key.Date.UtcDateTime.CompareTo(b.Key.Date.UtcDateTime);
        return d != 0 ? d : a.Key.Index.CompareTo(b.Key.Index);
    }

    /// <summary>
    /// The thread-list of RFC 5256 4: "(1 2 (3)(4 5))" — a lone child continues the chain, several
    /// children each get parentheses, a dummy prints only its children. Written with an explicit stack.
    /// </summary>
    private static string Format(List<Container> roots)
    {
        var sb = new StringBuilder();
        var stack = new Stack<(Container? Node, string? Text)>();
        foreach (var root in roots)
        {
            sb.Append('(');
            stack.Push((null, ")"));
            stack.Push((root, null));
            while (stack.Count > 0)
            {
                var (node, text) = stack.Pop();
                if (text is not null)
                {
                    sb.Append(text);
                    continue;
                }

                if (node!.Message is { } m)
                {
                    sb.Append(m.Number);
                    if (node.Children.Count == 1)
                    {
                        sb.Append(' ');
                        stack.Push((node.Children[0], null));
                        continue;
                    }

                    if (node.Children.Count > 1)
                    {
                        sb.Append(' ');
                    }
                }

                for (int i = node.Children.Count - 1; i >= 0; i--)
                {
                    stack.Push((null, ")"));
                    stack.Push((node.Children[i], null));
                    stack.Push((null, "("));
                }
            }
        }

        return sb.ToString();
    }
}

using System.Runtime.CompilerServices;

// The pure parsers are internal; their unit tests (and later fuzz targets) call them directly.
[assembly: InternalsVisibleTo("Postern.Protocol.Tests")]
[assembly: InternalsVisibleTo("Postern.Fuzz")]

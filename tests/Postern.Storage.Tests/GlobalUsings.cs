global using Xunit;
global using Postern.Testing;

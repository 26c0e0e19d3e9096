global using Postern.Testing;

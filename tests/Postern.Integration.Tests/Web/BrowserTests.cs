using System.Net;
using System.Security.Cryptography;
using Postern.Integration.Tests.Support;
using Postern.Settings;
using Xunit.Abstractions;

namespace Postern.Integration.Tests.Web;

/// <summary>
/// The settings page in a real browser (Debian's chromium, headless): following a program's link
/// opens its instructions without any script, and a phone-sized screenshot is kept as an artifact.
/// Chromium trusts exactly the server's key (--ignore-certificate-errors-spki-list), nothing else.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class BrowserTests(ServerFixture server, ITestOutputHelper output)
{
    [SkippableFact]
    public async Task Choosing_a_program_opens_its_labels_without_script_and_the_page_renders_at_phone_width()
    {
        var chromium = ExternalClient.Require("chromium");
        string spki = Convert.ToBase64String(SHA256.HashData(server.Certificate.PublicKey.ExportSubjectPublicKeyInfo()));
        string profile = Path.Combine(Path.GetTempPath(), "postern-chromium-" + Guid.NewGuid().ToString("N")[..8]);
        string[] common =
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            $"--user-data-dir={profile}", $"--ignore-certificate-errors-spki-list={spki}", "--virtual-time-budget=3000",
        ];
        var outlook = ClientCatalog.Find("outlook")!;
        string url = $"https://localhost:{server.Port(443)}/#program-{outlook.Id}";
        try
        {
            var dom = await ProcessRunner.RunAsync(chromium, [.. common, "--dump-dom", url], timeout: TimeSpan.FromSeconds(90));
            Assert.True(dom.ExitCode == 0, dom.ToString());
            Assert.Contains($"<details id=\"client-{outlook.Id}\" open", dom.StdOut);
            Assert.DoesNotContain("<details id=\"client-thunderbird\" open", dom.StdOut);
            Assert.Contains(outlook.Warning!, WebUtility.HtmlDecode(dom.StdOut));

            // Tall enough that the fragment needs no scrolling (headless screenshots of a scrolled page come out blank).
            string dir = Path.Combine(AppContext.BaseDirectory, "artifacts");
            Directory.CreateDirectory(dir);
            string png = Path.Combine(dir, "settings-page-phone.png");
            File.Delete(png);
            var shot = await ProcessRunner.RunAsync(chromium, [.. common, "--window-size=390,6000", $"--screenshot={png}", url], timeout: TimeSpan.FromSeconds(90));
            Assert.True(shot.ExitCode == 0, shot.ToString());
            byte[] image = await File.ReadAllBytesAsync(png);
            Assert.True(image.Length > 20_000, $"screenshot is only {image.Length} bytes: blank?");
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, image[..4]);
            output.WriteLine($"Screenshot of the settings page: {png}");
        }
        finally
        {
            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
                // Browser profile in temp: the OS cleans it up.
            }
        }
    }
}

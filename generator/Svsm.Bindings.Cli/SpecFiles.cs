namespace Svsm.Bindings.Cli;

/// <summary>Reads spec files for the commands, turning I/O failures into one clear line and exit code 2.</summary>
internal static class SpecFiles
{
    public const int ExitOk = 0;
    public const int ExitSpecErrors = 1;
    public const int ExitUnreadable = 2;

    public static bool TryRead(string path, TextWriter error, out string text)
    {
        try
        {
            text = File.ReadAllText(path);
            return true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            var reason = exception switch
            {
                FileNotFoundException or DirectoryNotFoundException => "no such file",
                UnauthorizedAccessException => "permission denied",
                _ => exception.Message,
            };
            error.WriteLine($"svsm-bindgen: cannot read '{path}': {reason}");
            text = string.Empty;
            return false;
        }
    }
}

namespace Svsm.Bindings.Spec.Model;

/// <summary>Which way an ioctl's argument goes, as Linux's <c>_IOC_*</c> direction bits say.</summary>
public enum IoctlDirection
{
    None = 0,
    Write = 1,
    Read = 2,
    ReadWrite = 3,
}

/// <summary>One ioctl: its request code computed as Linux's <c>_IOC(dir, type, nr, size)</c> does.</summary>
/// <param name="Type">The type character's code (<c>'S'</c> is 83).</param>
/// <param name="Argument">The argument's struct as the table names it, or null for <c>_IO</c>.</param>
/// <param name="Size">The argument's size: the 14-bit size field of the request code.</param>
/// <param name="Number">The full request code.</param>
public sealed record IoctlSpec(string Name, IoctlDirection Direction, int Type, int Nr, string? Argument, int Size, uint Number, string Description, SpecSpan Span);

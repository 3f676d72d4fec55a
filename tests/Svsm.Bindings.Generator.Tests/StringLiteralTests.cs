using System.Text;
using CsCheck;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Svsm.Bindings.Spec.Emitting;
using Xunit;

namespace Svsm.Bindings.Generator.Tests;

/// <summary>Spec text written into generated code as a string literal reads back, in C#, as the text itself.</summary>
public sealed class StringLiteralTests
{
    private static string ParsedBack(string literal) =>
        (string)((LiteralExpressionSyntax)SyntaxFactory.ParseExpression(literal)).Token.Value!;

    [Theory]
    [InlineData("plain text", "\"plain text\"")]
    [InlineData("", "\"\"")]
    [InlineData("a \"quoted\" \\ path", "\"a \\\"quoted\\\" \\\\ path\"")]
    [InlineData("line\nend\r\tx", "\"line\\nend\\r\\tx\"")]
    [InlineData("en\u2013dash \u00e9", "\"en\\u2013dash \\u00E9\"")]
    public void IsWrittenAsCSharpWouldRead(string text, string literal)
    {
        Assert.Equal(literal, Naming.Literal(text));
        Assert.Equal(literal, Naming.AppendLiteral(new StringBuilder("x"), text).ToString(1, literal.Length));
    }

    [Fact]
    public void AnyTextReadsBackAsItself() =>
        Gen.String[Gen.Char["ab \"\\\n\r\t\0\u007f\u0080\u00e9\u2013\ud800\udc00~"], 0, 24].Sample(text =>
        {
            var literal = Naming.Literal(text);
            Assert.Equal(text, ParsedBack(literal));
            Assert.Equal(literal, Naming.AppendLiteral(new StringBuilder(), text).ToString());
        }, iter: 5000);
}

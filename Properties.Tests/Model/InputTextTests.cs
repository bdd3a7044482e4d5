using System.Text;
using FsCheck.Fluent;
using FsCheck.Xunit;
using FsCheck;
using Klp.Check.Conformance;
using Klp.Check.Model;
using Klp.Check.Properties;
using Property = FsCheck.Property;

namespace Klp.Check.Tests.Model;

public class InputTextTests
{
    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public void Decode_Utf8WithOrWithoutByteOrderMark_IsTheSameText()
    {
        var text = "title caf\u00e9 \U0001F600\r\npatch a\n";

        Assert.Equal(text, InputText.Decode(Utf8(text), out var plain));
        Assert.Equal(text, InputText.Decode([0xEF, 0xBB, 0xBF, .. Utf8(text)], out var marked));
        Assert.Null(plain);
        Assert.Null(marked);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFE, (byte)'n', 0 }, "UTF-16")]
    [InlineData(new byte[] { 0xFE, 0xFF, 0, (byte)'n' }, "UTF-16")]
    [InlineData(new byte[] { 0xFF, 0xFE, 0, 0, (byte)'n', 0, 0, 0 }, "UTF-32")]
    [InlineData(new byte[] { 0, 0, 0xFE, 0xFF, 0, 0, 0, (byte)'n' }, "UTF-32")]
    public void Decode_Utf16OrUtf32ByteOrderMark_IsRefusedAtTheStart(byte[] bytes, string encoding)
    {
        Assert.Null(InputText.Decode(bytes, out var error));

        Assert.Equal((1, 1), (error!.Value.Line, error.Value.Column));
        Assert.StartsWith($"not a text file: a {encoding} byte order mark; only UTF-8 is read", error.Value.Message);
    }

    [Fact]
    public void Decode_ValidReplacementCharacter_IsText()
    {
        // Regression: U+FFFD was refused as "not a text file", since the reader replaced bad bytes with it.
        Assert.Equal("description: \uFFFD\n", InputText.Decode(Utf8("description: \uFFFD\n"), out var error));
        Assert.Null(error);
    }

    [Theory]
    [InlineData(new byte[] { (byte)'a', (byte)'b', 0xFF }, 1, 3, "byte 0xFF is not UTF-8")]
    [InlineData(new byte[] { (byte)'a', (byte)'\n', 0xC3, 0xA9, 0xC3 }, 2, 2, "byte 0xC3 is not UTF-8")]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 }, 1, 1, "byte 0xED is not UTF-8")]
    [InlineData(new byte[] { (byte)'x', 0xC0, 0x80 }, 1, 2, "byte 0xC0 is not UTF-8")]
    public void Decode_BytesThatAreNotUtf8_AreRefusedAtTheirPosition(byte[] bytes, int line, int column, string message)
    {
        Assert.Null(InputText.Decode(bytes, out var error));

        Assert.Equal((line, column), (error!.Value.Line, error.Value.Column));
        Assert.StartsWith($"not a text file: {message}", error.Value.Message);
    }

    [Theory]
    [InlineData("title \u001b]0;pwn\u0007\u001b[2J\n", 1, 7, 0x1B)]
    [InlineData("a\n\u00e9\u0007", 2, 2, 0x07)]
    [InlineData("a\n\n  \u0000", 3, 3, 0x00)]
    [InlineData("a\u007f", 1, 2, 0x7F)]
    [InlineData("a\u0085b", 1, 2, 0x85)]
    [InlineData("a\rb\n", 1, 2, 0x0D)]
    [InlineData("\U0001F600\u000c", 1, 3, 0x0C)]
    public void DecodeAndCheck_ControlCharacter_AreRefusedAtItsPosition(string text, int line, int column, int character)
    {
        Assert.Null(InputText.Decode(Utf8(text), out var decoded));
        var checkedText = InputText.Check(text);

        Assert.Equal(decoded, checkedText);
        Assert.Equal((line, column), (decoded!.Value.Line, decoded.Value.Column));
        Assert.StartsWith($"not a text file: control character U+{character:X4}", decoded.Value.Message);
    }

    [Theory]
    [InlineData("a\tb\r\nc\n")]
    [InlineData("ends with CR LF\r\n")]
    [InlineData("ends with CR\r")]
    [InlineData("")]
    public void Decode_TabsAndLineEnds_AreText(string text)
    {
        Assert.Equal(text, InputText.Decode(Utf8(text), out var error));
        Assert.Null(error);
    }

    [Fact]
    public void Check_UnpairedSurrogate_IsRefusedAtItsPosition()
    {
        var error = InputText.Check("ok\nab" + '\uD800' + "c");

        Assert.Equal((2, 3), (error!.Value.Line, error.Value.Column));
        Assert.StartsWith("not a text file: unpaired surrogate U+D800", error.Value.Message);
    }

    [Property(MaxTest = 1000)]
    public Property DecodeOfUtf8_AgreesWithCheckOfTheText(string? text)
    {
        var s = new string([.. (text ?? "").Where(ch => !char.IsSurrogate(ch))]);
        var decoded = InputText.Decode(Utf8(s), out var error);
        var checkedText = InputText.Check(s);
        return (checkedText is null ? decoded == s && error is null : decoded is null && error == checkedText)
            .Label($"check {checkedText}, decode {error}")
            .Classify(checkedText is null, "text");
    }
}

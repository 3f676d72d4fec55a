using System.Collections.Generic;
using Svsm.Bindings.Spec.Model;

namespace Svsm.Bindings.Spec.Diagnostics;

/// <summary>
/// The one catalog of spec diagnostics. Ids are stable: never renumber one, add new ones at the end
/// (and to docs/spec-format.md and the generator's AnalyzerReleases.Unshipped.md).
/// </summary>
public static class SpecDiagnostics
{
    private const SpecSeverity Error = SpecSeverity.Error;
    private const SpecSeverity Warning = SpecSeverity.Warning;
    private const SpecSeverity Info = SpecSeverity.Info;

    public static readonly SpecDiagnosticDescriptor MissingColumn = new(
        "SVSM0001", Error, "Table is missing a required column",
        "The {0} table has no '{1}' column; add it (columns: {2})");

    public static readonly SpecDiagnosticDescriptor MalformedCell = new(
        "SVSM0002", Error, "Cell value cannot be read",
        "'{0}' is not a valid {1}; {2}");

    public static readonly SpecDiagnosticDescriptor DuplicateCallId = new(
        "SVSM0003", Error, "Duplicate call id",
        "Call id {0} of '{1}' is already used by '{2}'; give each call its own id");

    public static readonly SpecDiagnosticDescriptor DuplicateCallName = new(
        "SVSM0004", Error, "Duplicate call name",
        "Call '{0}' is listed twice in the call table; remove or rename one row");

    public static readonly SpecDiagnosticDescriptor CallAboveProtocolVersion = new(
        "SVSM0005", Error, "Call is newer than the protocol",
        "Call '{0}' is first supported in version {1}, but the protocol's version is {2}; raise the protocol version or lower the call's");

    public static readonly SpecDiagnosticDescriptor NotAGeneralPurposeRegister = new(
        "SVSM0006", Error, "Not a general-purpose x86-64 register",
        "'{0}' is not a general-purpose x86-64 register; use one of RAX, RBX, RCX, RDX, RSI, RDI, RBP, RSP, R8-R15{1}");

    public static readonly SpecDiagnosticDescriptor BadRegisterSize = new(
        "SVSM0007", Error, "Register size must be 1, 2, 4 or 8 bytes",
        "Register {0} has size {1}; a register holds 1, 2, 4 or 8 bytes");

    public static readonly SpecDiagnosticDescriptor RegisterRepeated = new(
        "SVSM0008", Error, "Register repeated in the same direction",
        "Register {0} is already listed as {1} in call '{2}' (line {3}); list it once per direction, or once as IN/OUT");

    public static readonly SpecDiagnosticDescriptor AlignmentNotPowerOfTwo = new(
        "SVSM0009", Error, "Alignment is not a power of two",
        "Alignment {0} of register {1} is not a power of two; use 1, 2, 4, 8, 4096, ... or leave the cell empty");

    public static readonly SpecDiagnosticDescriptor BadDirection = new(
        "SVSM0010", Error, "Unknown register direction",
        "'{0}' is not a direction; write IN, OUT or IN/OUT");

    public static readonly SpecDiagnosticDescriptor CallWithoutRegisters = new(
        "SVSM0011", Error, "Call section has no registers table",
        "The section of call '{0}' has no Registers table; add one with Register, Size (Bytes), Alignment, In/Out and Description columns");

    public static readonly SpecDiagnosticDescriptor FieldsOverlap = new(
        "SVSM0012", Error, "Struct fields overlap",
        "Field '{0}' (bytes {1}) overlaps field '{2}' (bytes {3}) in '{4}'; fix the offsets or sizes");

    public static readonly SpecDiagnosticDescriptor FieldPastSize = new(
        "SVSM0013", Error, "Field runs past the struct's size",
        "Field '{0}' ends at byte {1}, past the declared size of '{2}' ({3} bytes); fix the field or the stated size");

    public static readonly SpecDiagnosticDescriptor SizeContradicted = new(
        "SVSM0014", Error, "Declared size is contradicted",
        "'{0}' is declared as {1} bytes here but as {2} bytes {3}; state one size");

    public static readonly SpecDiagnosticDescriptor BitsOverlap = new(
        "SVSM0015", Error, "Bits overlap",
        "Bits {0} ('{1}') overlap bits {2} ('{3}') in '{4}'; fix the ranges");

    public static readonly SpecDiagnosticDescriptor BitsPastWidth = new(
        "SVSM0016", Error, "Bits past the width",
        "Bits {0} ('{1}') do not fit in '{2}', which is {3} bits wide{4}");

    public static readonly SpecDiagnosticDescriptor FieldGap = new(
        "SVSM0017", Warning, "Undocumented bytes between struct fields",
        "Bytes {0} ({1} bytes) of '{2}' are not described by any field; add a Reserved row for them");

    public static readonly SpecDiagnosticDescriptor BitsUndefined = new(
        "SVSM0018", Warning, "Bits left undefined",
        "Bits {0} of '{1}' are not described; add a row (Reserved, MBZ if they must be zero)");

    public static readonly SpecDiagnosticDescriptor NarrowAddressRegister = new(
        "SVSM0019", Warning, "Address held in a register narrower than 8 bytes",
        "Register {0} of '{1}' holds an address but is {2} bytes wide; a GPA above 4 GiB would not fit: make it 8 bytes");

    public static readonly SpecDiagnosticDescriptor ProtocolIdNotFound = new(
        "SVSM0020", Warning, "Protocol id not found",
        "The spec defines {0} call(s) but no protocol id was found, so no Protocol, Client or Dispatch code is generated for them; add front matter (---\\nprotocol-id: N\\n---), a sentence 'uses protocol ID value N' or a constant 'pub const SVSM_X_PROTOCOL: u32 = N;'");

    public static readonly SpecDiagnosticDescriptor ProtocolVersionNotFound = new(
        "SVSM0021", Info, "Protocol version not stated",
        "The spec defines calls but states no protocol version, so version {0} is assumed; add front matter 'version: N' or a sentence 'The current version of the protocol is N'");

    public static readonly SpecDiagnosticDescriptor CallWithoutSection = new(
        "SVSM0022", Warning, "Call has no section",
        "Call '{0}' has no '{0} Call' section with a Registers table; it is bound with no registers");

    public static readonly SpecDiagnosticDescriptor SectionForUnknownCall = new(
        "SVSM0023", Warning, "Section names a call that is not in the call table",
        "The section '{0} Call' names no call of the call table; add a call-table row for it or fix the heading");

    public static readonly SpecDiagnosticDescriptor BadFrontMatter = new(
        "SVSM0024", Error, "Front matter value cannot be read",
        "Front matter '{0}: {1}' is not valid: {2}");

    public static readonly SpecDiagnosticDescriptor StructSizeNotStated = new(
        "SVSM0025", Info, "Struct size not stated",
        "'{0}' states no size; its fields give {1} bytes (write 'is N bytes in size' to state it)");

    public static readonly SpecDiagnosticDescriptor DuplicateName = new(
        "SVSM0026", Error, "Duplicate name",
        "Name '{0}' is already used in '{1}' (line {2}); names must be unique");

    public static readonly SpecDiagnosticDescriptor TableOutsideCall = new(
        "SVSM0027", Warning, "Registers or parameters table outside a call section",
        "This {0} is not inside a 'NAME Call' section, so no call uses it; move it under its call's heading");

    public static readonly SpecDiagnosticDescriptor StandaloneBitTable = new(
        "SVSM0028", Info, "Bit table bound to nothing",
        "The bit table '{0}' names no struct field or register in the sentence or heading before it; it stands alone, {1} bits wide");

    public static readonly SpecDiagnosticDescriptor ProtocolSentencesDisagree = new(
        "SVSM0029", Warning, "Protocol sentences disagree",
        "The spec gives protocol {0} {1} here but {2} at line {3}; that one is used: add front matter to settle it");

    public static readonly SpecDiagnosticDescriptor LanguageVersionTooOld = new(
        "SVSM0030", Error, "C# 12 or later is needed",
        "The bindings generated from the specs need C# 12 or later (inline arrays), but this project uses C# {0}; set <LangVersion>12</LangVersion> or target net8.0 or later");

    public static readonly SpecDiagnosticDescriptor RuntimeMissing = new(
        "SVSM0031", Error, "The generated code's runtime is missing",
        "The bindings generated from the specs need {0}; {1}");

    public static readonly SpecDiagnosticDescriptor SpecUnreadable = new(
        "SVSM0032", Error, "Spec file cannot be read",
        "The spec file '{0}' cannot be read");

    public static readonly SpecDiagnosticDescriptor DuplicateResultCode = new(
        "SVSM0033", Warning, "Result code listed twice",
        "'{0}' has the value 0x{1:X8} of '{2}' (line {3}); a result prints as the first name");

    public static readonly SpecDiagnosticDescriptor ResultCodeTooWide = new(
        "SVSM0034", Error, "Result code wider than 32 bits",
        "Result code '{0}' is 0x{1:X}, but results are 32 bits wide (RAX's low half)");

    public static readonly SpecDiagnosticDescriptor ComputedPadding = new(
        "SVSM0035", Info, "Padding computed",
        "{0} byte(s) of padding at {1}, before {2} in '{3}', as x86-64 System V alignment puts them");

    public static readonly SpecDiagnosticDescriptor ComputedSizeDisagrees = new(
        "SVSM0036", Error, "Stated size disagrees with the layout",
        "'{0}' is stated to be {1} bytes, but its fields laid out as gcc does on x86-64 make {2}");

    public static readonly SpecDiagnosticDescriptor FlagBreaksPattern = new(
        "SVSM0037", Warning, "Flag breaks its siblings' pattern",
        "'{0}' is {1} ({2}), where its siblings are written (1 << bit); check which bit is meant");

    public static readonly SpecDiagnosticDescriptor ProposedWithoutNumber = new(
        "SVSM0038", Info, "Proposed call without a number",
        "'{0}' is proposed without a published number; nothing is generated for it until the table gives its class and number");

    public static readonly SpecDiagnosticDescriptor TooManySyscallParameters = new(
        "SVSM0039", Error, "Too many syscall parameters",
        "'{0}' has {1} parameters, but a syscall passes at most 5 (in RDI, RSI, R8, R9, R10)");

    public static readonly SpecDiagnosticDescriptor ParameterOutOfPlace = new(
        "SVSM0040", Warning, "Parameter numbered out of place",
        "Parameter '{0}' is numbered {1} but stands in position {2} of '{3}'; its position decides its register ({4})");

    public static readonly SpecDiagnosticDescriptor MixedConventions = new(
        "SVSM0041", Error, "SVSM calls and syscalls in one spec",
        "This {0} belongs to {1}, but this spec describes {2} (line {3}); keep SVSM protocols and the syscall ABI in separate specs");

    public static readonly SpecDiagnosticDescriptor SyscallErrorOutOfRange = new(
        "SVSM0042", Error, "Syscall error number out of range",
        "Syscall error '{0}' is {1}, but error numbers are -1 to -65535 (results above u64::MAX - 0xFFFF)");

    public static readonly SpecDiagnosticDescriptor BitFieldSharesBytes = new(
        "SVSM0043", Error, "Bit-field packed where its unit cannot hold it",
        "gcc packs '{0}' at byte {1} bit {2}, into bytes {3} holds, but a table's bit-fields are units of one type each; give the neighbouring bit-fields one type and write the unused bits as a reserved bit-field");

    public static readonly SpecDiagnosticDescriptor NothingRecognised = new(
        "SVSM0044", Warning, "Nothing recognised in the spec",
        "This file has {0}, but no call, struct or constant was recognised in it (docs/spec-format.md lists what is read); if it is not a spec, give it SvsmSpec=\"false\"");

    public static readonly SpecDiagnosticDescriptor MalformedDeclaration = new(
        "SVSM0045", Error, "Declaration cannot be read",
        "This {0} declaration cannot be read: {1}");

    public static readonly SpecDiagnosticDescriptor UnknownType = new(
        "SVSM0046", Error, "Type not defined",
        "'{0}' of '{1}' has type '{2}', which this spec does not define and which is not one the reader knows (such as u32, __u64 or uint8_t); define it in the spec");

    public static readonly SpecDiagnosticDescriptor PreprocessorLineSkipped = new(
        "SVSM0047", Info, "Preprocessor line skipped",
        "'{0}' is skipped: {1}");

    public static readonly SpecDiagnosticDescriptor RegisterSizeAssumed = new(
        "SVSM0048", Info, "Register size assumed",
        "{0} of '{1}' states no size (such as u32, low 32 bits or (4 bytes)); 8 bytes is assumed");

    public static readonly SpecDiagnosticDescriptor DeclarationNotRead = new(
        "SVSM0049", Warning, "Declaration not read",
        "{0} is not read: {1}");

    public static readonly SpecDiagnosticDescriptor BadLength = new(
        "SVSM0050", Error, "Length or size cannot be used",
        "{0} of '{1}' cannot be used: {2}");

    public static readonly SpecDiagnosticDescriptor CallWithoutParameters = new(
        "SVSM0051", Info, "Call declared without parameters",
        "Call '{0}' has no parameter list in its section; it takes no parameters");

    public static readonly SpecDiagnosticDescriptor MarkdownTooDeep = new(
        "SVSM0052", Error, "Markdown nested too deeply",
        "The file cannot be read as Markdown: its quotes, lists, emphasis or links nest deeper than the Markdown reader (Markdig) allows");

    public static readonly SpecDiagnosticDescriptor UnknownResultCode = new(
        "SVSM0053", Error, "Result code not defined",
        "'{0}', the code for a misaligned {1} of '{2}', is neither a result code of this spec nor one every protocol shares (such as SVSM_ERR_INVALID_ADDRESS)");

    public static readonly SpecDiagnosticDescriptor UnknownEmit = new(
        "SVSM0054", Warning, "Unknown SvsmEmit value",
        "SvsmEmit=\"{0}\" is not client, server or both; both halves of the protocol are generated");

    public static readonly SpecDiagnosticDescriptor VersionFieldMissing = new(
        "SVSM0055", Error, "Versioned struct without a version field",
        "'{0}' has fields with a first version, but its version field cannot be found: {1}");

    public static readonly SpecDiagnosticDescriptor CallRemoved = new(
        "SVSM0056", Error, "Call removed from a released version",
        "'{0}' (call {1}, first in version {2}) is gone, but every later version keeps the calls of a released one");

    public static readonly SpecDiagnosticDescriptor CallRenumbered = new(
        "SVSM0057", Error, "Call renumbered",
        "'{0}' was call {1} and is now call {2}: callers of the released version still send {1}");

    public static readonly SpecDiagnosticDescriptor CallRenamed = new(
        "SVSM0058", Error, "Call renamed",
        "Call {0} was '{1}' and is now '{2}': a released call keeps its name, which its bindings are generated under");

    public static readonly SpecDiagnosticDescriptor CallIdReused = new(
        "SVSM0059", Error, "Call id reused",
        "Call {0} was '{1}' and is now '{2}', with other registers: a released call's id is used for something else");

    public static readonly SpecDiagnosticDescriptor CallChanged = new(
        "SVSM0060", Error, "Call changed within a released version",
        "'{0}' changed within version {1}: {2}");

    public static readonly SpecDiagnosticDescriptor CallAddedToReleasedVersion = new(
        "SVSM0061", Error, "New call in a released version",
        "'{0}' is new, but its first version, {1}, is already released (the newest released is {2}); a new call belongs to a new version");

    public static readonly SpecDiagnosticDescriptor FieldChanged = new(
        "SVSM0062", Error, "Struct field or bit moved, resized or removed",
        "'{0}' {1}");

    public static readonly SpecDiagnosticDescriptor ReservedGivenMeaning = new(
        "SVSM0063", Error, "Reserved bits or bytes given meaning within a released version",
        "'{0}' gives meaning to {1}, which {2} reserves, without a newer version: its callers leave it zero or ignore it");

    public static readonly SpecDiagnosticDescriptor ResultCodeChanged = new(
        "SVSM0064", Error, "Result code renumbered, removed or reused",
        "Result code '{0}' {1}");

    public static readonly SpecDiagnosticDescriptor StructRemoved = new(
        "SVSM0065", Error, "Struct or bit table removed",
        "'{0}' is gone, or renamed; callers of the released version use it");

    public static readonly SpecDiagnosticDescriptor AdditiveChange = new(
        "SVSM0066", Info, "Additive change",
        "{0}");

    public static readonly SpecDiagnosticDescriptor UnrelatedProtocols = new(
        "SVSM0067", Error, "Not versions of one protocol",
        "These specs are not versions of one protocol: {0}; nothing is compared");

    public static readonly SpecDiagnosticDescriptor BaselineUnusable = new(
        "SVSM0068", Error, "Shipped baseline cannot be used",
        "The shipped baseline {0} cannot be used: {1}");

    public static readonly SpecDiagnosticDescriptor ProtocolVersionLowered = new(
        "SVSM0069", Error, "Protocol version lowered",
        "The protocol's version went from {0} down to {1}: a released version is no longer described");

    public static readonly SpecDiagnosticDescriptor TableReadAsProse = new(
        "SVSM0070", Warning, "Table read as prose",
        "Line {0} has no '|', so the table that starts on line {1} is read as prose with the rest of its block, and none of its rows is read (GitHub shows a table here; Markdig, the reader, does not); put a blank line above this line, or make it a row");

    public static readonly SpecDiagnosticDescriptor GeneratorFailed = new(
        "SVSM0998", Error, "The generator failed",
        "Generating bindings for this spec failed ({0}); this is a bug in Svsm.Bindings, please report it with the spec");

    public static readonly SpecDiagnosticDescriptor ReaderFailed = new(
        "SVSM0999", Error, "The spec reader failed",
        "The spec reader failed ({0}); this is a bug in svsm-bindgen, please report it with the spec");

    /// <summary>Every descriptor, in id order.</summary>
    public static IReadOnlyList<SpecDiagnosticDescriptor> All { get; } = new[]
    {
        MissingColumn, MalformedCell, DuplicateCallId, DuplicateCallName, CallAboveProtocolVersion,
        NotAGeneralPurposeRegister, BadRegisterSize, RegisterRepeated, AlignmentNotPowerOfTwo, BadDirection,
        CallWithoutRegisters, FieldsOverlap, FieldPastSize, SizeContradicted, BitsOverlap, BitsPastWidth,
        FieldGap, BitsUndefined, NarrowAddressRegister, ProtocolIdNotFound, ProtocolVersionNotFound,
        CallWithoutSection, SectionForUnknownCall, BadFrontMatter, StructSizeNotStated, DuplicateName,
        TableOutsideCall, StandaloneBitTable, ProtocolSentencesDisagree, LanguageVersionTooOld, RuntimeMissing,
        SpecUnreadable, DuplicateResultCode, ResultCodeTooWide, ComputedPadding, ComputedSizeDisagrees, FlagBreaksPattern,
        ProposedWithoutNumber, TooManySyscallParameters, ParameterOutOfPlace, MixedConventions, SyscallErrorOutOfRange, BitFieldSharesBytes,
        NothingRecognised, MalformedDeclaration, UnknownType, PreprocessorLineSkipped, RegisterSizeAssumed, DeclarationNotRead, BadLength, CallWithoutParameters, MarkdownTooDeep, UnknownResultCode, UnknownEmit,
        VersionFieldMissing, CallRemoved, CallRenumbered, CallRenamed, CallIdReused, CallChanged, CallAddedToReleasedVersion,
        FieldChanged, ReservedGivenMeaning, ResultCodeChanged, StructRemoved, AdditiveChange, UnrelatedProtocols, BaselineUnusable,
        ProtocolVersionLowered, TableReadAsProse, GeneratorFailed, ReaderFailed,
    };
}

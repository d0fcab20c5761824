using System.Buffers.Binary;
using System.Text;

namespace Sharpness.Build.ElfVersionPatch;

/// <summary>One section header of an ELF64 file.</summary>
/// <param name="Index">Index in the section header table.</param>
/// <param name="Name">Name from the section-header string table (for example ".gnu.version_r").</param>
/// <param name="Type">sh_type (SHT_GNU_verneed = 0x6ffffffe, SHT_GNU_verdef = 0x6ffffffd, SHT_STRTAB = 3).</param>
/// <param name="Offset">sh_offset: file offset of the section's bytes.</param>
/// <param name="Size">sh_size in bytes.</param>
/// <param name="Link">sh_link: for version sections, the index of the string table the names live in.</param>
/// <param name="Info">sh_info: for version sections, the number of entries.</param>
internal sealed record ElfSection(int Index, string Name, uint Type, long Offset, long Size, uint Link, uint Info);

/// <summary>
/// One Vernaux entry of .gnu.version_r: a symbol version that the file needs from one library.
/// </summary>
/// <param name="Library">The needed library (vn_file of the enclosing Verneed), e.g. "libstdc++.so.6".</param>
/// <param name="Version">The version name (vna_name), e.g. "GLIBCXX_3.4.32".</param>
/// <param name="Flags">vna_flags; bit 0x2 (VER_FLG_WEAK) makes a missing version a non-fatal condition for the dynamic linker.</param>
/// <param name="FlagsOffset">File offset of the two-byte vna_flags field.</param>
internal sealed record VersionRequirement(string Library, string Version, ushort Flags, long FlagsOffset)
{
    /// <summary>VER_FLG_WEAK from elf.h.</summary>
    public const ushort WeakFlag = 0x2;

    /// <summary>True when the requirement carries VER_FLG_WEAK.</summary>
    public bool IsWeak => (Flags & WeakFlag) != 0;
}

/// <summary>
/// A read-only view of a little-endian ELF64 image: section headers (named through the
/// section-header string table), the version requirements in .gnu.version_r (Verneed/Vernaux)
/// and the version definitions in .gnu.version_d (Verdef/Verdaux). Every offset is bounds-checked;
/// a malformed file is an <see cref="InvalidDataException"/>, never an out-of-range read.
/// </summary>
internal sealed class ElfImage
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const int MaxEntries = 1 << 16;

    private readonly byte[] _bytes;

    private ElfImage(byte[] bytes)
    {
        _bytes = bytes;
        Sections = ReadSections();
    }

    /// <summary>The section headers in table order.</summary>
    public IReadOnlyList<ElfSection> Sections { get; }

    /// <summary>Parses an ELF64 little-endian image held in memory (the array is not copied).</summary>
    /// <param name="bytes">The whole file.</param>
    /// <exception cref="InvalidDataException">Not an ELF64 little-endian file, or a header points outside the file.</exception>
    public static ElfImage Parse(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        if (bytes.Length < 64 || bytes[0] != 0x7f || bytes[1] != (byte)'E' || bytes[2] != (byte)'L' || bytes[3] != (byte)'F')
        {
            throw new InvalidDataException("Not an ELF file (missing the \\x7fELF magic).");
        }

        if (bytes[4] != 2)
        {
            throw new InvalidDataException($"Only ELF64 files are supported (EI_CLASS = {bytes[4]}).");
        }

        if (bytes[5] != 1)
        {
            throw new InvalidDataException($"Only little-endian ELF files are supported (EI_DATA = {bytes[5]}).");
        }

        return new ElfImage(bytes);
    }

    /// <summary>Reads and parses a file.</summary>
    /// <param name="path">Path of the ELF file.</param>
    public static ElfImage Load(string path) => Parse(File.ReadAllBytes(path));

    /// <summary>The section with the given name, or null.</summary>
    /// <param name="name">Section name, e.g. ".gnu.version_r".</param>
    public ElfSection? FindSection(string name) => Sections.FirstOrDefault(s => s.Name == name);

    /// <summary>
    /// Every Vernaux entry of .gnu.version_r, in file order. Empty when the file has no such section.
    /// </summary>
    public IReadOnlyList<VersionRequirement> VersionRequirements()
    {
        var result = new List<VersionRequirement>();
        ElfSection? section = FindSection(".gnu.version_r");
        if (section is null)
        {
            return result;
        }

        if (section.Type != ShtGnuVerneed)
        {
            throw new InvalidDataException($".gnu.version_r has type 0x{section.Type:x}, expected SHT_GNU_verneed (0x{ShtGnuVerneed:x}).");
        }

        ElfSection strings = StringTableOf(section);
        long offset = section.Offset;
        for (uint i = 0; i < section.Info; i++)
        {
            // Elf64_Verneed: vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32.
            CheckRange(offset, 16, section, "Verneed");
            ushort count = U16(offset + 2);
            string library = StringAt(strings, U32(offset + 4));
            uint aux = U32(offset + 8);
            uint next = U32(offset + 12);
            long auxOffset = offset + aux;
            for (int j = 0; j < count; j++)
            {
                // Elf64_Vernaux: vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32.
                CheckRange(auxOffset, 16, section, "Vernaux");
                ushort flags = U16(auxOffset + 4);
                string version = StringAt(strings, U32(auxOffset + 8));
                result.Add(new VersionRequirement(library, version, flags, auxOffset + 4));
                uint auxNext = U32(auxOffset + 12);
                if (auxNext == 0)
                {
                    break;
                }

                auxOffset += auxNext;
            }

            if (next == 0 || result.Count > MaxEntries)
            {
                break;
            }

            offset += next;
        }

        return result;
    }

    /// <summary>
    /// The version names defined in .gnu.version_d (the first Verdaux of each Verdef), in file
    /// order; empty when the file defines none. For libstdc++ these are GLIBCXX_3.4, GLIBCXX_3.4.1, ….
    /// </summary>
    public IReadOnlyList<string> VersionDefinitions()
    {
        var result = new List<string>();
        ElfSection? section = FindSection(".gnu.version_d");
        if (section is null)
        {
            return result;
        }

        if (section.Type != ShtGnuVerdef)
        {
            throw new InvalidDataException($".gnu.version_d has type 0x{section.Type:x}, expected SHT_GNU_verdef (0x{ShtGnuVerdef:x}).");
        }

        ElfSection strings = StringTableOf(section);
        long offset = section.Offset;
        for (uint i = 0; i < section.Info; i++)
        {
            // Elf64_Verdef: vd_version u16, vd_flags u16, vd_ndx u16, vd_cnt u16, vd_hash u32, vd_aux u32, vd_next u32.
            CheckRange(offset, 20, section, "Verdef");
            ushort count = U16(offset + 6);
            uint aux = U32(offset + 12);
            uint next = U32(offset + 16);
            if (count > 0)
            {
                // Elf64_Verdaux: vda_name u32, vda_next u32. The first one names the version itself.
                CheckRange(offset + aux, 8, section, "Verdaux");
                result.Add(StringAt(strings, U32(offset + aux)));
            }

            if (next == 0 || result.Count > MaxEntries)
            {
                break;
            }

            offset += next;
        }

        return result;
    }

    private List<ElfSection> ReadSections()
    {
        // Elf64_Ehdr: e_shoff at 0x28 (u64), e_shentsize at 0x3a, e_shnum at 0x3c, e_shstrndx at 0x3e (u16).
        long tableOffset = checked((long)U64(0x28));
        int entrySize = U16(0x3a);
        long count = U16(0x3c);
        long namesIndex = U16(0x3e);
        if (tableOffset == 0)
        {
            return [];
        }

        if (entrySize < 64)
        {
            throw new InvalidDataException($"Section header entries of {entrySize} bytes are too small for ELF64 (64).");
        }

        // Extended numbering: with more than 0xff00 sections the real count and string-table index
        // live in section header 0 (sh_size and sh_link).
        RequireInFile(tableOffset, entrySize, "section header 0");
        if (count == 0)
        {
            count = checked((long)U64(tableOffset + 32));
        }

        if (namesIndex == 0xffff)
        {
            namesIndex = U32(tableOffset + 40);
        }

        if (count > MaxEntries)
        {
            throw new InvalidDataException($"Implausible section count {count}.");
        }

        RequireInFile(tableOffset, count * entrySize, "section header table");
        var raw = new List<(uint NameOffset, uint Type, long Offset, long Size, uint Link, uint Info)>();
        for (long i = 0; i < count; i++)
        {
            // Elf64_Shdr: sh_name u32, sh_type u32, sh_flags u64, sh_addr u64, sh_offset u64,
            // sh_size u64, sh_link u32, sh_info u32, sh_addralign u64, sh_entsize u64.
            long h = tableOffset + (i * entrySize);
            raw.Add((U32(h), U32(h + 4), checked((long)U64(h + 24)), checked((long)U64(h + 32)), U32(h + 40), U32(h + 44)));
        }

        if (namesIndex >= raw.Count)
        {
            throw new InvalidDataException($"The section-name string table index {namesIndex} is outside the table of {raw.Count} sections.");
        }

        var names = raw[(int)namesIndex];
        RequireInFile(names.Offset, names.Size, "section-name string table");
        var sections = new List<ElfSection>(raw.Count);
        for (int i = 0; i < raw.Count; i++)
        {
            var r = raw[i];
            string name = r.NameOffset < names.Size ? ReadString(names.Offset + r.NameOffset, names.Offset + names.Size) : "";
            sections.Add(new ElfSection(i, name, r.Type, r.Offset, r.Size, r.Link, r.Info));
        }

        return sections;
    }

    private ElfSection StringTableOf(ElfSection section)
    {
        if (section.Link >= Sections.Count)
        {
            throw new InvalidDataException($"{section.Name} links to section {section.Link}, which does not exist.");
        }

        ElfSection strings = Sections[(int)section.Link];
        RequireInFile(strings.Offset, strings.Size, strings.Name);
        RequireInFile(section.Offset, section.Size, section.Name);
        return strings;
    }

    private string StringAt(ElfSection table, uint offset)
    {
        if (offset >= table.Size)
        {
            throw new InvalidDataException($"String offset {offset} is outside {table.Name} ({table.Size} bytes).");
        }

        return ReadString(table.Offset + offset, table.Offset + table.Size);
    }

    private string ReadString(long start, long limit)
    {
        long end = start;
        while (end < limit && _bytes[end] != 0)
        {
            end++;
        }

        return Encoding.ASCII.GetString(_bytes, (int)start, (int)(end - start));
    }

    private static void CheckRange(long offset, long length, ElfSection section, string what)
    {
        if (offset < section.Offset || offset + length > section.Offset + section.Size)
        {
            throw new InvalidDataException($"A {what} entry at file offset {offset} lies outside {section.Name}.");
        }
    }

    private void RequireInFile(long offset, long length, string what)
    {
        if (offset < 0 || length < 0 || offset + length > _bytes.Length)
        {
            throw new InvalidDataException($"The {what} (offset {offset}, {length} bytes) lies outside the file ({_bytes.Length} bytes).");
        }
    }

    private ushort U16(long offset) => BinaryPrimitives.ReadUInt16LittleEndian(_bytes.AsSpan(checked((int)offset), 2));

    private uint U32(long offset) => BinaryPrimitives.ReadUInt32LittleEndian(_bytes.AsSpan(checked((int)offset), 4));

    private ulong U64(long offset) => BinaryPrimitives.ReadUInt64LittleEndian(_bytes.AsSpan(checked((int)offset), 8));
}

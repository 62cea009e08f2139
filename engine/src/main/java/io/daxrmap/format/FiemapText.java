package io.daxrmap.format;

/**
 * The two texts that print FIEMAP for files, as {@link FiemapTextReader} reads them.
 * <p>
 * {@code xfs_io -r -c 'fiemap -v' FILE} (xfsprogs {@code io/fiemap.c}; {@link Style#XFS_IO}) prints per file a line
 * {@code PATH:}, then, unless the file has no extents, a table:
 * <pre>
 * orig/b:
 *  EXT: FILE-OFFSET      BLOCK-RANGE      TOTAL FLAGS
 *    0: [0..15]:         4160..4175          16   0x0
 *    1: [16..23]:        hole                 8
 *    2: [24..1023]:      4184..5183        1000 0x2001
 * </pre>
 * in 512-byte units ({@code fe_* >> 9}, truncating), inclusive ranges, holes as rows of their own (also the hole
 * from the last extent to EOF) and {@code fe_flags} in hex. Column widths follow the first batch of extents, so
 * rows are split on blanks, not columns. Row numbers (EXT) count holes and extents from 0.
 * <p>
 * {@code filefrag -v FILE} (e2fsprogs {@code misc/filefrag.c} 1.47; {@link Style#FILEFRAG}) prints per file:
 * <pre>
 * Filesystem type is: 58465342
 * File size of orig/b is 524288 (128 blocks of 4096 bytes)
 *  ext:     logical_offset:        physical_offset: length:   expected: flags:
 *    0:        0..       1:       4184..      4185:      2:
 *    1:        2..     127:        522..       647:    126:       4186: last,shared,eof
 * orig/b: 2 extents found
 * </pre>
 * in blocks of the size the {@code File size} line names (bytes for {@code inline} extents), inclusive ranges whose
 * end is {@code (fe_length - 1) >> shift} past the start while {@code length} is {@code fe_length >> shift}, an
 * optional {@code expected} column and flag words. {@code Filesystem type is} appears once per device change in
 * one run, followed by {@code Filesystem cylinder groups approximately N} when the file does not use ext4 extents
 * (inline data, ext2/3 block maps); a file without extents has no table. Readers accept both framings concatenated file by file, as in
 * {@code testdata/capture/xfs-small}. {@code filefrag -X} (hex) and its FIBMAP fallback are not read.
 * <p>
 * Lengths are whole units: a {@code filefrag} extent that ends inside a block counts to the end of the block,
 * and an {@code xfs_io} extent shorter than one sector (ext4 inline data) prints as length 0, with an end of
 * {@code 2^64 - 1} or one before its start, and is left out.
 */
public final class FiemapText
{
    /** {@code FIEMAP_EXTENT_LAST}. */
    public static final int LAST = 0x1;
    /** {@code FIEMAP_EXTENT_UNKNOWN}. */
    public static final int UNKNOWN = 0x2;
    /** {@code FIEMAP_EXTENT_DELALLOC}. */
    public static final int DELALLOC = 0x4;
    /** {@code FIEMAP_EXTENT_ENCODED}. */
    public static final int ENCODED = 0x8;
    /** {@code FIEMAP_EXTENT_DATA_ENCRYPTED}. */
    public static final int DATA_ENCRYPTED = 0x80;
    /** {@code FIEMAP_EXTENT_NOT_ALIGNED}. */
    public static final int NOT_ALIGNED = 0x100;
    /** {@code FIEMAP_EXTENT_DATA_INLINE}. */
    public static final int DATA_INLINE = 0x200;
    /** {@code FIEMAP_EXTENT_DATA_TAIL}. */
    public static final int DATA_TAIL = 0x400;
    /** {@code FIEMAP_EXTENT_UNWRITTEN}. */
    public static final int UNWRITTEN = 0x800;
    /** {@code FIEMAP_EXTENT_MERGED}. */
    public static final int MERGED = 0x1000;
    /** {@code FIEMAP_EXTENT_SHARED}. */
    public static final int SHARED = 0x2000;

    /** Bytes in xfs_io's unit. */
    public static final int XFS_IO_UNIT = XfsIo.SECTOR;

    /** xfs_io's columns, as error messages name them. */
    static final String EXT = "EXT";
    static final String FILE_OFFSET = "FILE-OFFSET";
    static final String BLOCK_RANGE = "BLOCK-RANGE";
    static final String TOTAL = "TOTAL";
    static final String FLAGS = "FLAGS";

    /** filefrag's columns and lines, as error messages name them. */
    static final String FF_EXT = "ext";
    static final String FF_LOGICAL = "logical_offset";
    static final String FF_PHYSICAL = "physical_offset";
    static final String FF_LENGTH = "length";
    static final String FF_EXPECTED = "expected";
    static final String FF_FLAGS = "flags";
    static final String FF_SIZE = "size";
    static final String FF_BLOCKS = "blocks";
    static final String FF_BLOCK_SIZE = "block size";
    static final String FF_FS_TYPE = "filesystem type";

    private static final String[] FLAG_WORDS = {
        "last", "unknown_loc", "delalloc", "encoded", "encrypted", "not_aligned", "inline", "tail_packed",
        "unwritten", "merged", "shared"};
    private static final int[] FLAG_BITS = {
        LAST, UNKNOWN, DELALLOC, ENCODED, DATA_ENCRYPTED, NOT_ALIGNED, DATA_INLINE, DATA_TAIL, UNWRITTEN, MERGED,
        SHARED};

    /** Every flag of {@code include/uapi/linux/fiemap.h}: a bit outside them is not one the kernel sets. */
    static final int KNOWN_FLAGS = LAST | UNKNOWN | DELALLOC | ENCODED | DATA_ENCRYPTED | NOT_ALIGNED | DATA_INLINE |
        DATA_TAIL | UNWRITTEN | MERGED | SHARED;

    /** Which tool printed a text. */
    public enum Style
    {
        /** {@code xfs_io -c 'fiemap -v'}. */
        XFS_IO,
        /** {@code filefrag -v}. */
        FILEFRAG
    }

    private FiemapText()
    {
    }

    /**
     * The style of a text from its first line.
     *
     * @param firstLine the first line of the text.
     * @return the style, or null if the line starts neither.
     */
    public static Style detect(final String firstLine)
    {
        if (firstLine.startsWith("Filesystem type is: ") || firstLine.startsWith("File size of "))
        {
            return Style.FILEFRAG;
        }
        if (firstLine.endsWith(":") && firstLine.length() > 1)
        {
            return Style.XFS_IO;
        }
        return null;
    }

    /**
     * The FIEMAP bit of a filefrag flag word.
     *
     * @param word a word of the flags column: a name ({@code last}, {@code shared}...), {@code unknown} (older
     *             filefrag) or an unnamed bit in hex ({@code 0x4000}).
     * @return the bit, 0 for {@code eof} (filefrag's own note that the extent reaches the file size), or -1 if the
     *         word is unknown.
     */
    public static int flagOfWord(final String word)
    {
        for (int i = 0; i < FLAG_WORDS.length; i++)
        {
            if (FLAG_WORDS[i].equals(word))
            {
                return FLAG_BITS[i];
            }
        }
        if ("eof".equals(word))
        {
            return 0;
        }
        if ("unknown".equals(word))
        {
            return UNKNOWN;
        }
        if (word.startsWith("0x") && word.length() > 2 && word.length() <= 10)
        {
            try
            {
                final int bit = Integer.parseUnsignedInt(word.substring(2), 16);
                return Integer.bitCount(bit) == 1 ? bit : -1;
            }
            catch (final NumberFormatException ex)
            {
                return -1;
            }
        }
        return -1;
    }
}

package io.daxrmap.format;

import java.io.IOException;

/**
 * Malformed input in one of the ecosystem's text formats.
 * <p>
 * The message is one line that names the file, the line number and, where one is at fault, the field:
 * {@code fsmap.csv:12: field PSTART: not a number: "x"}.
 */
public class FormatException extends IOException
{
    private static final long serialVersionUID = 1L;

    private final String file;
    private final long line;
    private final String field;

    /**
     * An error in one field of a line.
     *
     * @param file   name of the input, as the user gave it.
     * @param line   1-based line number.
     * @param field  name of the field at fault, or null if the line as a whole is at fault.
     * @param detail what is wrong, including the offending text.
     */
    public FormatException(final String file, final long line, final String field, final String detail)
    {
        super(message(file, line, field, detail));
        this.file = file;
        this.line = line;
        this.field = field;
    }

    /**
     * An error in one field of a line, with the exception that revealed it.
     *
     * @param file   name of the input, as the user gave it.
     * @param line   1-based line number.
     * @param field  name of the field at fault, or null if the line as a whole is at fault.
     * @param detail what is wrong, including the offending text.
     * @param cause  the exception that revealed the error.
     */
    public FormatException(
        final String file, final long line, final String field, final String detail, final Throwable cause)
    {
        super(message(file, line, field, detail), cause);
        this.file = file;
        this.line = line;
        this.field = field;
    }

    /**
     * The name of the input.
     *
     * @return the file name given to the reader.
     */
    public String file()
    {
        return file;
    }

    /**
     * The line at fault.
     *
     * @return the 1-based line number.
     */
    public long line()
    {
        return line;
    }

    /**
     * The field at fault.
     *
     * @return the field name, or null if the line as a whole is at fault.
     */
    public String field()
    {
        return field;
    }

    private static String message(final String file, final long line, final String field, final String detail)
    {
        final String where = file + ":" + line + ": ";
        return field == null ? where + detail : where + "field " + field + ": " + detail;
    }
}

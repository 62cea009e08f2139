package io.daxrmap.cli;

/**
 * The little JSON the commands print: string quoting.
 */
final class Json
{
    private Json()
    {
    }

    static String quote(final String text)
    {
        final StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                default:
                    if (c < 0x20 || Character.isSurrogate(c) && !validPair(text, i))
                    {
                        // a lone surrogate (a byte of a name that is not UTF-8) has no UTF-8: as an escape it stays
                        out.append(String.format("\\u%04x", (int)c));
                    }
                    else if (Character.isHighSurrogate(c))
                    {
                        out.append(c).append(text.charAt(++i));
                    }
                    else
                    {
                        out.append(c);
                    }
            }
        }
        return out.append('"').toString();
    }

    private static boolean validPair(final String text, final int i)
    {
        return Character.isHighSurrogate(text.charAt(i)) && i + 1 < text.length() &&
            Character.isLowSurrogate(text.charAt(i + 1));
    }
}

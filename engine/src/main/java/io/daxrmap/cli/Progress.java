package io.daxrmap.cli;

import java.io.PrintStream;

/**
 * Progress of long work (index, import, verify) on a terminal: one line on standard error, rewritten at most ten
 * times a second, erased when done. Silent when standard error is not a terminal (scripts, tests, CI).
 */
final class Progress
{
    private static final long INTERVAL_NANOS = 100_000_000L;

    private final PrintStream err;
    private final String what;
    private final boolean enabled;
    private long count;
    private long lastPrint;
    private int lastLength;

    private Progress(final PrintStream err, final String what, final boolean enabled)
    {
        this.err = err;
        this.what = what;
        this.enabled = enabled;
        this.lastPrint = System.nanoTime();
    }

    /**
     * Progress shown only when there is a terminal.
     *
     * @param what what is counted, e.g. "records read".
     * @return the progress line.
     */
    static Progress onTerminal(final String what)
    {
        return new Progress(System.err, what, System.console() != null);
    }

    /**
     * Count some more.
     *
     * @param more how many more.
     */
    void add(final long more)
    {
        count += more;
        if (enabled)
        {
            final long now = System.nanoTime();
            if (now - lastPrint >= INTERVAL_NANOS)
            {
                lastPrint = now;
                final String line = what + ": " + count;
                err.print("\r" + line + " ".repeat(Math.max(0, lastLength - line.length())));
                lastLength = line.length();
                err.flush();
            }
        }
    }

    long count()
    {
        return count;
    }

    /**
     * Erase the line.
     */
    void done()
    {
        if (enabled && lastLength > 0)
        {
            err.print("\r" + " ".repeat(lastLength) + "\r");
            err.flush();
        }
    }
}

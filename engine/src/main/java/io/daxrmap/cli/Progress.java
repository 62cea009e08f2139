package io.daxrmap.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Progress of long work (index, import, verify) on a terminal: one line on standard error, rewritten at most ten
 * times a second, erased when done (callers call {@link #done} in a finally, so that an error message starts a line
 * of its own). Silent when standard error is not a terminal (scripts, tests, CI, {@code 2> file}).
 */
final class Progress
{
    private static final long INTERVAL_NANOS = 100_000_000L;

    private final PrintStream err;
    private final String what;
    private final boolean enabled;
    private final long intervalNanos;
    private long count;
    private long lastPrint;
    private int lastLength;

    private Progress(final PrintStream err, final String what, final boolean enabled, final long intervalNanos)
    {
        this.err = err;
        this.what = what;
        this.enabled = enabled;
        this.intervalNanos = intervalNanos;
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
        return new Progress(System.err, what, standardErrorIsATerminal(), INTERVAL_NANOS);
    }

    /**
     * Progress shown on a stream whatever it is, rewritten at most once an interval: for tests.
     *
     * @param err           where the line goes.
     * @param what          what is counted.
     * @param intervalNanos the least time between two lines; 0 for a line on every count.
     * @return the progress line.
     */
    static Progress shownOn(final PrintStream err, final String what, final long intervalNanos)
    {
        return new Progress(err, what, true, intervalNanos);
    }

    /**
     * Whether file descriptor 2 is a terminal. {@code System.console()} asks of standard input and output: with
     * {@code 2> file} on a terminal it is not null, and the progress lines would land in the file.
     */
    static boolean standardErrorIsATerminal()
    {
        try
        {
            final String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        }
        catch (final IOException | UnsupportedOperationException | SecurityException ex)
        {
            return false;
        }
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
            if (now - lastPrint >= intervalNanos)
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
     * Erase the line, if it is shown; once: a second call (a finally after an earlier end) prints nothing.
     */
    void done()
    {
        if (enabled && lastLength > 0)
        {
            err.print("\r" + " ".repeat(lastLength) + "\r");
            err.flush();
            lastLength = 0;
        }
    }
}

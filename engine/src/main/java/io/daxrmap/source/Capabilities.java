package io.daxrmap.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The effective capabilities of this process, from the {@code CapEff} line of {@code /proc/self/status}: XFS's
 * GETFSMAP names the owners of blocks only to a caller with {@code CAP_SYS_ADMIN}.
 */
public final class Capabilities
{
    /** {@code CAP_SYS_ADMIN}, bit 21 of the capability sets. */
    public static final int CAP_SYS_ADMIN = 21;

    private static final Path STATUS = Path.of("/proc/self/status");

    private Capabilities()
    {
    }

    /**
     * Whether this process has {@code CAP_SYS_ADMIN} in its effective set.
     *
     * @return true if it has; false if it has not or the status cannot be read.
     */
    public static boolean hasSysAdmin()
    {
        try
        {
            return hasEffective(Files.readString(STATUS, StandardCharsets.UTF_8), CAP_SYS_ADMIN);
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /**
     * Whether a {@code /proc/PID/status} text grants a capability in the effective set.
     *
     * @param status     the text of the status file.
     * @param capability the capability's bit number.
     * @return true if the {@code CapEff} mask has the bit; false if not or there is no such line.
     */
    static boolean hasEffective(final String status, final int capability)
    {
        for (final String line : status.split("\n"))
        {
            if (line.startsWith("CapEff:"))
            {
                final long mask = Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                return (mask >>> capability & 1) != 0;
            }
        }
        return false;
    }
}

package io.daxrmap.format;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The real captures under {@code testdata/capture/} (made by {@code make-captures.sh}), found from the working
 * directory upwards.
 */
public final class Captures
{
    public static final String SMALL = "xfs-small";
    public static final String BATCH = "xfs-batch";

    private Captures()
    {
    }

    public static Path xfsSmall(final String name)
    {
        return file(SMALL, name);
    }

    public static Path file(final String capture, final String name)
    {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null)
        {
            final Path candidate = dir.resolve("testdata/capture").resolve(capture).resolve(name);
            if (Files.isRegularFile(candidate))
            {
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException("capture not found: capture=" + capture + " name=" + name + " cwd=" +
            Path.of("").toAbsolutePath());
    }

    /** The text of a capture file, gunzipped if its name ends in {@code .gz}. */
    public static String text(final String capture, final String name) throws IOException
    {
        final Path file = file(capture, name);
        if (!name.endsWith(".gz"))
        {
            return Files.readString(file, StandardCharsets.UTF_8);
        }
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file)))
        {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}

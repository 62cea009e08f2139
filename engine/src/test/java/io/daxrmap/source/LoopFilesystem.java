package io.daxrmap.source;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real filesystem on a loop-mounted image file, for tests against the kernel: made with mkfs, mounted with
 * {@code mount -o loop}, driven by shell workloads, and always unmounted by {@link #close()} (also from a shutdown
 * hook if the JVM exits with it still mounted), which releases the loop device and deletes the image.
 * <p>
 * Needs root and the tools of {@code testdata/install-tools.sh}. {@link #requireEnvironment(String...)} skips a
 * test with the reason when they are missing, but fails it when the environment variable {@code CI} is
 * {@code true}: CI must run these tests, never skip them.
 */
public final class LoopFilesystem implements AutoCloseable
{
    /** Mount options: no atime updates, so that reading the tree does not write to it. */
    private static final String MOUNT_OPTIONS = "loop,noatime";
    private static final long COMMAND_TIMEOUT_SECONDS = 120;

    private final String type;
    private final Path workDir;
    private final Path image;
    private final Path mountPoint;
    private final Deque<Path> nestedMounts = new ArrayDeque<>();
    private final Thread shutdownHook;
    private boolean mounted;
    private String logDevice;

    private LoopFilesystem(final String type, final Path workDir)
    {
        this.type = type;
        this.workDir = workDir;
        this.image = workDir.resolve(type + ".img");
        this.mountPoint = workDir.resolve("mnt");
        this.shutdownHook = new Thread(this::unmountQuietly, "umount " + mountPoint);
    }

    /**
     * Skip (or, under CI, fail) the calling test unless this process is root and has the commands.
     *
     * @param commands commands the test runs, looked up on the PATH (with /sbin and /usr/sbin).
     */
    public static void requireEnvironment(final String... commands)
    {
        final List<String> missing = new ArrayList<>();
        if (!isRoot())
        {
            missing.add("root (mount, GETFSMAP owners)");
        }
        for (final String command : commands)
        {
            if (!hasCommand(command))
            {
                missing.add(command);
            }
        }
        if (missing.isEmpty())
        {
            return;
        }
        final String reason = "real-filesystem test needs " + String.join(", ", missing) +
            " (run testdata/install-tools.sh as root)";
        if ("true".equals(System.getenv("CI")))
        {
            Assertions.fail("CI=true: " + reason);
        }
        Assumptions.assumeTrue(false, reason);
    }

    /**
     * A fresh XFS with reflink and the reverse-mapping btree, mounted.
     *
     * @param size image size in bytes (mkfs.xfs is told it runs under fstests, so sizes under 300 MB work).
     * @return the mounted filesystem.
     * @throws IOException if mkfs or mount fails.
     */
    public static LoopFilesystem xfs(final long size) throws IOException
    {
        return create("xfs", size,
            "TEST_DIR=1 TEST_DEV=1 QA_CHECK_FS=1 mkfs.xfs -q -f -m reflink=1,rmapbt=1 -b size=4096 \"$IMG\"");
    }

    /**
     * A fresh XFS without reflink and without the reverse-mapping btree, mounted: GETFSMAP answers there but names
     * no file.
     *
     * @param size image size in bytes.
     * @return the mounted filesystem.
     * @throws IOException if mkfs or mount fails.
     */
    public static LoopFilesystem xfsWithoutReverseMap(final long size) throws IOException
    {
        return create("xfs", size,
            "TEST_DIR=1 TEST_DEV=1 QA_CHECK_FS=1 mkfs.xfs -q -f -m reflink=0,rmapbt=0 -b size=4096 \"$IMG\"");
    }

    /**
     * A fresh btrfs, mounted (mixed block groups, so that small images work).
     *
     * @param size image size in bytes.
     * @return the mounted filesystem.
     * @throws IOException if mkfs or mount fails.
     */
    public static LoopFilesystem btrfs(final long size) throws IOException
    {
        return create("btrfs", size, "mkfs.btrfs -q -f --mixed \"$IMG\"");
    }

    /**
     * A fresh ext4 with inline data, mounted.
     *
     * @param size image size in bytes.
     * @return the mounted filesystem.
     * @throws IOException if mkfs or mount fails.
     */
    public static LoopFilesystem ext4(final long size) throws IOException
    {
        return create("ext4", size, "mkfs.ext4 -q -F -b 4096 -O inline_data \"$IMG\"");
    }

    /**
     * A fresh ext4 with a block size, mounted.
     *
     * @param size      image size in bytes.
     * @param blockSize filesystem block size in bytes (1024, 2048 or 4096).
     * @return the mounted filesystem.
     * @throws IOException if mkfs or mount fails.
     */
    public static LoopFilesystem ext4(final long size, final int blockSize) throws IOException
    {
        return create("ext4", size, "mkfs.ext4 -q -F -b " + blockSize + " \"$IMG\"");
    }

    /**
     * A fresh XFS with reflink and rmapbt whose log lives on a second loop device: a filesystem of two devices.
     *
     * @param size    data image size in bytes.
     * @param logSize log image size in bytes; the log takes 3,200 blocks of it.
     * @return the mounted filesystem; {@link #close()} also detaches the log's loop device.
     * @throws IOException if losetup, mkfs or mount fails.
     */
    public static LoopFilesystem xfsWithExternalLog(final long size, final long logSize) throws IOException
    {
        final LoopFilesystem fs = new LoopFilesystem("xfs", Files.createTempDirectory("daxrmap-xfs-log-"));
        try
        {
            Files.createDirectory(fs.mountPoint);
            fs.logDevice = fs.run(fs.workDir, "truncate -s " + logSize + " log.img && losetup -f --show log.img").trim();
            fs.run(fs.workDir, "truncate -s " + size + " \"$IMG\" && TEST_DIR=1 TEST_DEV=1 QA_CHECK_FS=1 " +
                "mkfs.xfs -q -f -m reflink=1,rmapbt=1 -b size=4096 -l logdev=" + fs.logDevice + ",size=3200b \"$IMG\"");
            Runtime.getRuntime().addShutdownHook(fs.shutdownHook);
            fs.mounted = true;
            fs.run(fs.workDir, "mount -o " + MOUNT_OPTIONS + ",logdev=" + fs.logDevice + " \"$IMG\" \"$MNT\"");
            return fs;
        }
        catch (final IOException | RuntimeException ex)
        {
            fs.close();
            throw ex;
        }
    }

    private static LoopFilesystem create(final String type, final long size, final String mkfs) throws IOException
    {
        final LoopFilesystem fs = new LoopFilesystem(type, Files.createTempDirectory("daxrmap-" + type + "-"));
        try
        {
            Files.createDirectory(fs.mountPoint);
            fs.run(fs.workDir, "truncate -s " + size + " \"$IMG\" && " + mkfs);
            Runtime.getRuntime().addShutdownHook(fs.shutdownHook);
            fs.mounted = true;
            fs.run(fs.workDir, "mount -o " + MOUNT_OPTIONS + " \"$IMG\" \"$MNT\"");
            return fs;
        }
        catch (final IOException | RuntimeException ex)
        {
            fs.close();
            throw ex;
        }
    }

    /**
     * The mount point.
     *
     * @return the directory the filesystem is mounted on.
     */
    public Path mountPoint()
    {
        return mountPoint;
    }

    /**
     * Run a bash script in the mount point ({@code $MNT} and {@code $IMG} set, {@code LC_ALL=C}).
     *
     * @param script the script; {@code set -euo pipefail} is in force.
     * @return what it printed on standard output.
     * @throws IOException if it exits non-zero (the message has its standard error) or times out.
     */
    public String run(final String script) throws IOException
    {
        return run(mountPoint, script);
    }

    /**
     * Write everything out and drop XFS's lingering copy-on-write staging extents, so that the maps are stable.
     *
     * @throws IOException if a command fails.
     */
    public void settle() throws IOException
    {
        run("sync" + ("xfs".equals(type) ? " && xfs_spaceman -c 'prealloc -s' \"$MNT\" && sync" : ""));
    }

    /**
     * Mount a small tmpfs on a directory inside this filesystem (unmounted first by {@link #close()}).
     *
     * @param relative the directory, relative to the mount point; created if missing.
     * @throws IOException if the mount fails.
     */
    public void mountTmpfs(final String relative) throws IOException
    {
        final Path dir = mountPoint.resolve(relative);
        Files.createDirectories(dir);
        nestedMounts.push(dir);
        run("mount -t tmpfs -o size=1m daxrmap-test \"" + dir + "\"");
    }

    /**
     * Bind-mount a directory of this filesystem on another one inside it (unmounted first by {@link #close()}):
     * the same filesystem, the same {@code st_dev}, seen twice.
     *
     * @param source the directory to show again, relative to the mount point.
     * @param target where to show it, relative to the mount point; created if missing.
     * @throws IOException if the mount fails.
     */
    public void bindMount(final String source, final String target) throws IOException
    {
        final Path dir = mountPoint.resolve(target);
        Files.createDirectories(dir);
        nestedMounts.push(dir);
        run("mount --bind \"" + mountPoint.resolve(source) + "\" \"" + dir + "\"");
    }

    /**
     * Unmount everything (retrying, then lazily), release the loop device and delete the image.
     */
    @Override
    public void close()
    {
        unmountQuietly();
        if (!mounted)
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            }
            catch (final IllegalStateException | IllegalArgumentException ignore)
            {
                // Shutting down already, or the hook was never added.
            }
            deleteTree(workDir);
        }
    }

    private synchronized void unmountQuietly()
    {
        while (!nestedMounts.isEmpty())
        {
            umount(nestedMounts.pop());
        }
        if (mounted)
        {
            mounted = !umount(mountPoint);
        }
        if (!mounted && logDevice != null && !logDevice.isEmpty())
        {
            try
            {
                run(workDir, "losetup -d " + logDevice);
                logDevice = null;
            }
            catch (final IOException ex)
            {
                System.err.println("LoopFilesystem: cannot detach " + logDevice + ": " + ex.getMessage());
            }
        }
    }

    private boolean umount(final Path target)
    {
        for (int attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                run(workDir, "if mountpoint -q \"" + target + "\"; then umount \"" + target + "\"; fi");
                return true;
            }
            catch (final IOException ex)
            {
                sleep(200L * (attempt + 1));
            }
        }
        try
        {
            run(workDir, "umount -l \"" + target + "\"");
            return true;
        }
        catch (final IOException ex)
        {
            System.err.println("LoopFilesystem: cannot unmount " + target + ": " + ex.getMessage());
            return false;
        }
    }

    private String run(final Path directory, final String script) throws IOException
    {
        final ProcessBuilder builder = new ProcessBuilder("bash", "-c", "set -euo pipefail\n" + script)
            .directory(directory.toFile());
        builder.environment().put("LC_ALL", "C");
        builder.environment().put("MNT", mountPoint.toString());
        builder.environment().put("IMG", image.toString());
        builder.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin") + ":/usr/sbin:/sbin");
        final Path stderr = Files.createTempFile("daxrmap-stderr-", ".txt");
        try
        {
            builder.redirectError(stderr.toFile());
            final Process process = builder.start();
            process.getOutputStream().close();
            final byte[] out = process.getInputStream().readAllBytes();
            if (!process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IOException("timed out: timeoutSeconds=" + COMMAND_TIMEOUT_SECONDS + " script=" + script);
            }
            if (process.exitValue() != 0)
            {
                final String err = Files.readString(stderr, StandardCharsets.UTF_8);
                throw new IOException("command failed: exit=" + process.exitValue() + " script=" + abbreviate(script) +
                    " stderr=" + abbreviate(err));
            }
            return new String(out, StandardCharsets.UTF_8);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: script=" + script, ex);
        }
        finally
        {
            Files.deleteIfExists(stderr);
        }
    }

    private static String abbreviate(final String text)
    {
        final String trimmed = text.strip();
        return trimmed.length() <= 2000 ? trimmed : trimmed.substring(0, 1000) + " ... " +
            trimmed.substring(trimmed.length() - 1000);
    }

    private static boolean isRoot()
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc/self/status"), StandardCharsets.UTF_8))
            {
                if (line.startsWith("Uid:"))
                {
                    return "0".equals(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        }
        catch (final IOException ex)
        {
            return false;
        }
        return false;
    }

    private static boolean hasCommand(final String command)
    {
        final String path = System.getenv().getOrDefault("PATH", "") + ":/usr/sbin:/sbin:/usr/bin:/bin";
        for (final String dir : path.split(":"))
        {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command)))
            {
                return true;
            }
        }
        return false;
    }

    private static void sleep(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void deleteTree(final Path root)
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
        catch (final IOException ex)
        {
            System.err.println("LoopFilesystem: cannot delete " + root + ": " + ex.getMessage());
        }
    }

    /**
     * Run a command (mount, a bind mount, a remount) that must succeed within 30 seconds.
     *
     * @param command the command and its arguments.
     * @throws IOException if it cannot be started or is interrupted.
     */
    public static void runCommand(final String... command) throws IOException
    {
        try
        {
            final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            Assertions.assertTrue(process.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS),
                String.join(" ", command));
            Assertions.assertEquals(0, process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + String.join(" ", command), ex);
        }
    }

    /**
     * Unmount what a test mounted at a directory: lazily if it is busy (files this JVM mapped there stay mapped until
     * their buffers are collected), so that no mount outlives the test.
     *
     * @param mountPoint the directory.
     */
    public static void unmount(final Path mountPoint)
    {
        try
        {
            final Process umount = new ProcessBuilder("umount", mountPoint.toString()).redirectErrorStream(true)
                .start();
            if (!umount.waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS) || umount.exitValue() != 0)
            {
                new ProcessBuilder("umount", "-l", mountPoint.toString()).start()
                    .waitFor(COMMAND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}

package io.daxrmap.store;

import io.daxrmap.index.IndexConfig;
import io.daxrmap.index.ReverseIndex;
import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.Owner;

import java.net.SocketPermission;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Permission;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The child process of {@link NoNetworkTest}: with every socket permission denied and recorded, writes and reads a
 * catalog (Chronicle Map) and a persistent index, waits for any background sender, and prints the attempts.
 */
public final class NoNetworkCheck
{
    private NoNetworkCheck()
    {
    }

    /**
     * @param args unused.
     * @throws Exception on any failure.
     */
    @SuppressWarnings("removal")
    public static void main(final String[] args) throws Exception
    {
        final List<String> attempts = Collections.synchronizedList(new ArrayList<>());
        System.setSecurityManager(new SecurityManager()
        {
            @Override
            public void checkPermission(final Permission permission)
            {
                if (permission instanceof SocketPermission)
                {
                    attempts.add(permission.getName() + " " + permission.getActions());
                    throw new SecurityException("network access: " + permission);
                }
            }

            @Override
            public void checkPermission(final Permission permission, final Object context)
            {
                checkPermission(permission);
            }
        });
        final Path directory = Files.createTempDirectory("daxrmap-no-network-");
        try
        {
            final Path file = directory.resolve(Catalog.FILE_NAME);
            Catalog.write(file, Map.of(131L, "a/b", 132L, "c"), 7);
            try (Catalog catalog = Catalog.open(file))
            {
                if (!"a/b".equals(catalog.get(131L).path()))
                {
                    throw new IllegalStateException("catalog lost an entry");
                }
            }
            try (ReverseIndex index = ReverseIndex.create(
                new IndexConfig(new DeviceGeometry(7, 1 << 20, 4096), 16), directory.resolve("index")))
            {
                index.newBatch().map(Owner.data(131), 0, 0, 4096, 0).commit();
            }
        }
        finally
        {
            try (Stream<Path> paths = Files.walk(directory))
            {
                for (final Path path : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator)
                {
                    Files.deleteIfExists(path);
                }
            }
        }
        Thread.sleep(1500);
        System.out.println("ATTEMPTS " + attempts.size() + " " + attempts);
    }
}

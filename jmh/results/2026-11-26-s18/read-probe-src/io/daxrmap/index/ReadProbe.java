package io.daxrmap.index;

import io.daxrmap.model.DeviceGeometry;
import java.nio.file.*;

public final class ReadProbe
{
    public static void main(final String[] args) throws Exception
    {
        final Path dir = Path.of(args[0]);
        final int stripes = 8_000_000;
        if (!Files.exists(IndexLog.file(dir, 1)))
        {
            Files.createDirectories(dir);
            final int[] idx = new int[stripes];
            final long[] addr = new long[stripes];
            for (int i = 0; i < stripes; i++) { idx[i] = i; addr[i] = 4096L * (i + 1); }
            final long[] owners = new long[1_500_000];
            for (int i = 0; i < owners.length; i++) { owners[i] = io.daxrmap.model.Owner.data(i + 100); }
            try (IndexLog log = IndexLog.create(dir, 1, new DeviceGeometry(0, 1L << 45, 4096), 22))
            {
                final byte[] cp = new IndexLog.Writer(IndexLog.CHECKPOINT, 1, 0, 0, 0).blocks(stripes, idx, addr)
                    .blocks(0, new int[0], new long[0]).owners(owners, 0, owners.length).sets(new OwnerSet[0], 0, 0).payload();
                log.append(cp, cp.length);
            }
        }
        System.out.println("log bytes " + Files.size(IndexLog.file(dir, 1)));
        for (int i = 0; i < 12; i++)
        {
            final long t = System.nanoTime();
            final LogReplay r = LogReplay.read(IndexLog.file(dir, 1), 1);
            System.out.printf("read %d ms (version %d)%n", (System.nanoTime() - t) / 1_000_000, r.version);
        }
    }
}

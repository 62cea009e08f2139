// One bulk load in a fresh JVM with the slab preparer off or on (argument 2). Needs preparer.patch applied.
package io.daxrmap.index;
import io.daxrmap.testdata.Datasets;
/** One bulk load in a fresh JVM, with the slab preparer on or off. */
public final class FirstLoad {
    public static void main(String[] a) {
        AnonymousMemory.preparing(Boolean.parseBoolean(a[1]));
        final Datasets.Records records = BulkLoadBenchmark.generate(a[0]);
        final long start = System.nanoTime();
        final ReverseIndex index = ReverseIndex.create(records.config());
        records.load(index);
        System.out.printf("%s %.0f ms taken %d%n", a[1], (System.nanoTime() - start) / 1e6, AnonymousMemory.preparedTaken());
    }
}

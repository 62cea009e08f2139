// compactNow() timed repeatedly on an idle unshared index (perf: where a compaction's time goes).
package io.daxrmap.index;
import io.daxrmap.testdata.Dataset;
/** compactNow() timed, repeatedly, on the unshared dataset of N records. */
public final class CompactProbe {
    public static void main(String[] a) {
        Dataset data = io.daxrmap.testdata.Datasets.unshared(Integer.parseInt(a[0]), 1);
        ReverseIndex index = data.index();
        for (int r = 0; r < Integer.parseInt(a[1]); r++) {
            long t = System.nanoTime();
            index.compactNow();
            System.out.printf("round %d: %.1f ms live %d%n", r, (System.nanoTime() - t) / 1e6, index.liveOffHeapBytes());
        }
    }
}

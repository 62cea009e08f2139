// Stripes, owners and the directory leaves the 512 slots of MutationBenchmark reach (10^6: 74,182 stripes, 15,625
// owners; the slots reach 247 stripe leaves and 61 owner leaves).
package io.daxrmap.index;
import io.daxrmap.testdata.Dataset;
import java.util.*;
public final class ShapeProbe {
    public static void main(String[] a) {
        Dataset data = io.daxrmap.testdata.Datasets.unshared(Integer.parseInt(a[0]), 1);
        ReverseIndex index = data.index();
        Snapshot s = index.current();
        System.out.println("stripes " + s.stripeCount() + " shift " + s.stripeShift + " owners " + s.ownerCount + " extentsLen " + s.extents.length());
        IndexReader reader = index.newReader();
        long[] probes = data.mappedOffsets();
        Set<Integer> sl = new HashSet<>(), ol = new HashSet<>(), st = new HashSet<>(), ow = new HashSet<>();
        for (int i = 0; i < 512; i++) {
            final long p = probes[i];
            reader.scan(p, p, (d, l, o, f, fl) -> { int id = s.ownerId(o); ow.add(id); ol.add(id >>> 8); int si = (int)(d >>> s.stripeShift); st.add(si); sl.add(si >>> 8);
              long root = s.extentsAddress(id); int chunks = ForwardRootDescriptor.count(s.buffer(root), Arena.offset(root)); if (p < 0) System.out.println("owner chunks " + chunks + " len " + l); return false; });
        }
        System.out.println("distinct stripes " + st.size() + " stripe leaves " + sl.size() + " owners " + ow.size() + " owner leaves " + ol.size());
    }
}

package io.daxrmap.index;

/** The stripe and forward-map directories' lengths and shapes for unshared datasets of N records. */
public final class DirShape
{
    public static void main(final String[] args)
    {
        for (final String a : args)
        {
            final ReverseIndex index = io.daxrmap.testdata.Datasets.unshared(Integer.parseInt(a), 1).index();
            final Snapshot s = index.current();
            System.out.printf("records %s: stripes %d leaf %d mid %d; owners %d (extents directory %d) leaf %d mid %d%n", a,
                s.stripes.length(), 1 << s.stripes.leafShift(), 1 << s.stripes.midShift(), s.ownerCount,
                s.extents.length(), 1 << s.extents.leafShift(), 1 << s.extents.midShift());
        }
    }
}

package io.daxrmap.index;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link LongDirectory} against plain arrays: every edit's sets and growth, and every earlier directory left exactly
 * as it was built (snapshots share its nodes).
 */
class LongDirectoryTest
{
    private static final long FILL = -7;

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 9000, 70_000, 1 << 20, 1 << 21, 1 << 22})
    void shouldAgreeWithArraysAcrossEditsAndLeaveEarlierDirectoriesAlone(final int initialLength)
    {
        final SplittableRandom rnd = new SplittableRandom(20261125 + initialLength);
        LongDirectory directory = LongDirectory.filled(initialLength, FILL);
        final int leaf = 1 << directory.leafShift();
        final int mid = 1 << directory.midShift();
        final int span = leaf * mid;
        long[] model = new long[directory.length()];
        Arrays.fill(model, FILL);
        final List<LongDirectory> built = new ArrayList<>();
        final List<long[]> models = new ArrayList<>();
        // large directories: fewer edits, every entry checked after every third (every tenth past 2^21 entries)
        final boolean large = initialLength > 100_000;
        final int checkEvery = initialLength > 1 << 21 ? 10 : large ? 3 : 1;
        for (int edit = 0; edit < (large ? 30 : 200); edit++)
        {
            final LongDirectory.Editor editor = directory.edit(FILL);
            final int sets = 1 + rnd.nextInt(rnd.nextInt(8) == 0 ? 2000 : 20);
            for (int s = 0; s < sets; s++)
            {
                // now and then past the end: the directory grows, new entries read as the fill
                final boolean grow = model.length == 0 ||
                    s == 0 && rnd.nextInt(8) == 0 && model.length < initialLength + 4 * span;
                final int index = grow ? model.length + rnd.nextInt(rnd.nextBoolean() ? 2 * leaf : span) :
                    rnd.nextInt(model.length);
                final long value = rnd.nextLong();
                editor.set(index, value);
                if (index >= model.length)
                {
                    final int before = model.length;
                    model = Arrays.copyOf(model, editor.length());
                    Arrays.fill(model, before, model.length, FILL);
                }
                model[index] = value;
                assertEquals(value, editor.get(index));
            }
            assertEquals(model.length, editor.length());
            directory = editor.build();
            if (edit % checkEvery == 0)
            {
                built.add(directory);
                models.add(model.clone());
                for (int i = 0; i < model.length; i++)
                {
                    if (directory.get(i) != model[i])
                    {
                        assertEquals(model[i], directory.get(i), "edit " + edit + " index " + i);
                    }
                }
            }
            // a grown directory has the shape of one created at its length
            assertEquals(LongDirectory.leafShift(directory.length()), directory.leafShift(), "edit " + edit);
            assertEquals(LongDirectory.midShift(directory.length()), directory.midShift(), "edit " + edit);
        }
        for (int b = 0; b < built.size(); b++)
        {
            final long[] expected = models.get(b);
            assertEquals(expected.length, built.get(b).length());
            for (int i = 0; i < expected.length; i++)
            {
                if (built.get(b).get(i) != expected[i])
                {
                    assertEquals(expected[i], built.get(b).get(i), "directory " + b + " index " + i);
                }
            }
        }
    }

    @Test
    void shouldKeepLeavesSmallUnlessTheirReferencesWouldLeaveTheCache()
    {
        // the forward maps' directory starts empty; the stripes of the unshared datasets of 10^6, 10^7 and 10^8 records
        assertShape(0, 16, 32);
        assertShape(74_182, 16, 128);
        assertShape(742_074, 64, 128);
        assertShape(1_250_000, 128, 128);
        assertShape(7_420_000, 256, 256);
        assertShape(Integer.MAX_VALUE - LongDirectory.MAX_SPAN, 256, 1024);
        for (int length = 1; length > 0 && length < Integer.MAX_VALUE / 2; length = length * 3 + 1)
        {
            // bounds in the next power of two above the length, 2^bits
            final int bits = 32 - Integer.numberOfLeadingZeros(length);
            final int leafShift = LongDirectory.leafShift(length);
            final int midShift = LongDirectory.midShift(length);
            // leaves: no more than 2^14 of them unless at the largest; no larger than that needs
            assertTrue(bits - leafShift <= LongDirectory.LEAF_REFERENCES_SHIFT ||
                leafShift == LongDirectory.MAX_LEAF_SHIFT, "length " + length);
            assertTrue(bits - (leafShift - 1) > LongDirectory.LEAF_REFERENCES_SHIFT ||
                leafShift == LongDirectory.MIN_LEAF_SHIFT, "length " + length);
            // mid nodes: the top array no larger than a mid node unless at the largest; a smaller mid node would not do
            assertTrue(bits - leafShift - midShift <= midShift || midShift == LongDirectory.MAX_MID_SHIFT,
                "length " + length);
            assertTrue(bits - leafShift - (midShift - 1) > midShift - 1 || midShift == LongDirectory.MIN_MID_SHIFT,
                "length " + length);
        }
    }

    /**
     * The forward maps' directory starts empty and grows to millions of owners: it takes the shape of a directory
     * created at its length, and what it held before, the growing editor's own entries too, is laid out again in the
     * new shape (twice, where one editor grows it twice), earlier directories untouched.
     */
    @Test
    void shouldTakeTheShapeOfItsLengthAsItGrows()
    {
        final SplittableRandom rnd = new SplittableRandom(20261127);
        LongDirectory directory = LongDirectory.filled(0, FILL);
        final long[][] model = {new long[0]};
        final List<LongDirectory> built = new ArrayList<>();
        final List<long[]> models = new ArrayList<>();
        final Set<Integer> shapes = new HashSet<>();
        int bound = 16;
        for (int edit = 0; bound < 600_000; edit++)
        {
            final LongDirectory.Editor editor = directory.edit(FILL);
            final int before = model[0].length;
            for (int s = 0; before > 0 && s < 20; s++)
            {
                set(editor, model, rnd.nextInt(before), rnd.nextLong());
            }
            bound = bound * 7 / 5;
            set(editor, model, bound - 1, rnd.nextLong());
            if (edit % 3 == 0)
            {
                bound *= 2;
                set(editor, model, bound - 1, rnd.nextLong());
            }
            for (int s = 0; s < 20; s++)
            {
                set(editor, model, rnd.nextInt(bound), rnd.nextLong());
            }
            for (int i = 0; i < model[0].length; i++)
            {
                if (editor.get(i) != model[0][i])
                {
                    assertEquals(model[0][i], editor.get(i), "editor " + edit + " index " + i);
                }
            }
            directory = editor.build();
            assertEquals(model[0].length, directory.length());
            assertEquals(LongDirectory.leafShift(directory.length()), directory.leafShift(), "length " + bound);
            assertEquals(LongDirectory.midShift(directory.length()), directory.midShift(), "length " + bound);
            shapes.add(directory.leafShift() << 8 | directory.midShift());
            built.add(directory);
            models.add(model[0].clone());
        }
        assertTrue(shapes.size() >= 4, "shapes: " + shapes.size());
        assertTrue(directory.leafShift() > LongDirectory.MIN_LEAF_SHIFT, "leaves grew: " + directory.leafShift());
        for (int b = 0; b < built.size(); b++)
        {
            final long[] expected = models.get(b);
            for (int i = 0; i < expected.length; i++)
            {
                if (built.get(b).get(i) != expected[i])
                {
                    assertEquals(expected[i], built.get(b).get(i), "directory " + b + " index " + i);
                }
            }
        }
    }

    private static void set(final LongDirectory.Editor editor, final long[][] model, final int index, final long value)
    {
        editor.set(index, value);
        if (index >= model[0].length)
        {
            final int before = model[0].length;
            model[0] = Arrays.copyOf(model[0], editor.length());
            Arrays.fill(model[0], before, model[0].length, FILL);
        }
        model[0][index] = value;
    }

    /**
     * A directory grown from empty to 600,001 entries in one editor, laid out in the shape of that length (leaves of
     * 64, mid nodes of 128, a top array of 74): every mid node is the editor's, each with one leaf of the fill, and
     * the two leaves written besides.
     */
    @Test
    void shouldCountTheNodesOfAGrownDirectory()
    {
        final LongDirectory.Editor editor = LongDirectory.filled(0, FILL).edit(FILL);
        editor.set(0, 1);
        editor.set(600_000, 2);
        final LongDirectory grown = editor.build();
        assertEquals(600_001, grown.length());
        assertEquals(6, grown.leafShift());
        assertEquals(7, grown.midShift());
        final long top = 16 + 4 * 74;
        final long mid = 16 + 4 * (128 + 1) + 4;
        final long leaf = 16 + 8 * (64 + 1);
        assertEquals(top + 74 * mid + (74 + 2) * leaf, grown.bytes());
        assertEquals(1, grown.get(0));
        assertEquals(2, grown.get(600_000));
        assertEquals(FILL, grown.get(599_999));
    }

    @Test
    void shouldCountEachNodeOnce()
    {
        // 16-byte array headers, 4-byte references, 8-byte alignment; a leaf holds its entries and its generation, a
        // mid node its leaves and its editor's mark; the top array here one reference
        final int leaf = 16 + 8 * (16 + 1);
        final int mid = 16 + 4 * (32 + 1) + 4;
        assertEquals(16, LongDirectory.filled(0, FILL).bytes());
        // one mid node of 32 references to one shared leaf
        final LongDirectory filled = LongDirectory.filled(100, FILL);
        assertEquals(24 + mid + leaf, filled.bytes());
        // the edit copies the mid node and two leaves (entries 3 and 5 share one); the others share the filled leaf
        LongDirectory.Editor editor = filled.edit(FILL);
        editor.set(3, 1);
        editor.set(5, 2);
        editor.set(40, 3);
        final LongDirectory edited = editor.build();
        assertEquals(24 + mid + 3 * leaf, edited.bytes());
        assertEquals(24 + mid + leaf, filled.bytes(), "the directory edited from is unchanged");
        // a second edit copies its own path again, never the first editor's nodes in place
        editor = edited.edit(FILL);
        editor.set(4, 9);
        assertEquals(24 + mid + 3 * leaf, editor.build().bytes());
        assertEquals(1, edited.get(3));
        assertEquals(FILL, edited.get(4));
        assertEquals(2, edited.get(5));
    }

    @Test
    void shouldRefuseSetsAfterBuild()
    {
        final LongDirectory.Editor editor = LongDirectory.filled(10, FILL).edit(FILL);
        editor.set(1, 1);
        final LongDirectory built = editor.build();
        assertThrows(IllegalStateException.class, () -> editor.set(2, 2));
        assertEquals(FILL, built.get(2));
    }

    private static void assertShape(final int length, final int leafEntries, final int leavesPerMid)
    {
        final LongDirectory directory = LongDirectory.filled(length, FILL);
        assertEquals(leafEntries, 1 << directory.leafShift(), "leaf of length " + length);
        assertEquals(leavesPerMid, 1 << directory.midShift(), "mid node of length " + length);
    }
}

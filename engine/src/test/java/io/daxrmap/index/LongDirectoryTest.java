package io.daxrmap.index;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link LongDirectory} against plain arrays: every edit's sets and growth, and every earlier directory left exactly
 * as it was built (snapshots share its nodes).
 */
class LongDirectoryTest
{
    private static final long FILL = -7;

    @Test
    void shouldAgreeWithArraysAcrossEditsAndLeaveEarlierDirectoriesAlone()
    {
        final SplittableRandom rnd = new SplittableRandom(20261125);
        LongDirectory directory = LongDirectory.filled(LongDirectory.SPAN + 3 * LongDirectory.LEAF_SIZE + 5, FILL);
        long[] model = new long[directory.length()];
        Arrays.fill(model, FILL);
        final List<LongDirectory> built = new ArrayList<>();
        final List<long[]> models = new ArrayList<>();
        for (int edit = 0; edit < 200; edit++)
        {
            final LongDirectory.Editor editor = directory.edit(FILL);
            final int sets = 1 + rnd.nextInt(rnd.nextInt(8) == 0 ? 2000 : 20);
            for (int s = 0; s < sets; s++)
            {
                // now and then past the end: the directory grows, new entries read as the fill
                final boolean grow = s == 0 && rnd.nextInt(8) == 0 && model.length < 4 * LongDirectory.SPAN;
                final int index = grow ? model.length + rnd.nextInt(rnd.nextBoolean() ? 2 * LongDirectory.LEAF_SIZE : LongDirectory.SPAN) :
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
            built.add(directory);
            models.add(model.clone());
            for (int i = 0; i < model.length; i++)
            {
                assertEquals(model[i], directory.get(i), "edit " + edit + " index " + i);
            }
        }
        for (int b = 0; b < built.size(); b++)
        {
            final long[] expected = models.get(b);
            assertEquals(expected.length, built.get(b).length());
            for (int i = 0; i < expected.length; i++)
            {
                assertEquals(expected[i], built.get(b).get(i), "directory " + b + " index " + i);
            }
        }
    }
}

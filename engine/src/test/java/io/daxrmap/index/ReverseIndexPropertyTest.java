package io.daxrmap.index;

import io.daxrmap.index.ReferenceModel.AddressSpace;
import io.daxrmap.index.ReferenceModel.Extent;
import io.daxrmap.index.ReferenceModel.OtherOwner;
import io.daxrmap.index.ReferenceModel.PageAnswer;
import io.daxrmap.index.ReferenceModel.Rec;
import io.daxrmap.model.DeviceGeometry;
import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;
import io.daxrmap.model.Pagemap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;

/**
 * Differential tests: random operation sequences run against the engine and {@link ReferenceModel}; after every
 * batch every query kind is compared. Each try is driven by one seed; a disagreement is minimised by replaying
 * smaller operation lists, and reported with the seed and the minimal op list as Java code.
 */
class ReverseIndexPropertyTest
{
    private static final AtomicLong OPERATIONS = new AtomicLong();
    private static final AtomicLong FAILED_OPERATIONS = new AtomicLong();
    private static final AtomicLong BATCHES = new AtomicLong();
    private static final AtomicLong QUERIES = new AtomicLong();
    private static final AtomicLong SHARED_RECORDS = new AtomicLong();
    private static final AtomicLong UNWRITTEN_RECORDS = new AtomicLong();
    private static final AtomicLong MAX_RECORDS = new AtomicLong();
    private static final AtomicLong STARTED = new AtomicLong(System.nanoTime());

    /** Replay one seed: {@code -Ddaxrmap.seed=N} runs each property with that seed only. */
    private static final String SEED_PROPERTY = "daxrmap.seed";

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("alignedSeeds")
    void shouldAgreeWithModelWhenBlockAligned(final long seed)
    {
        run(seed, Profile.ALIGNED, 200);
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("unalignedSeeds")
    void shouldAgreeWithModelWhenUnaligned(final long seed)
    {
        run(seed, Profile.UNALIGNED, 200);
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("cloneSeeds")
    void shouldAgreeWithModelWhenCloneHeavy(final long seed)
    {
        run(seed, Profile.CLONES, 150);
    }

    @ParameterizedTest(name = "seed={0}")
    @MethodSource("manySharerSeeds")
    void shouldAgreeWithModelWhenHundredsShareEveryBlock(final long seed)
    {
        run(seed, Profile.MANY_SHARERS, 60);
    }

    static LongStream alignedSeeds()
    {
        return seeds(70);
    }

    static LongStream unalignedSeeds()
    {
        return seeds(40);
    }

    static LongStream cloneSeeds()
    {
        return seeds(25);
    }

    static LongStream manySharerSeeds()
    {
        return seeds(4);
    }

    /**
     * Fresh random seeds every run (each test's name shows its seed), or the one seed given to replay a failure.
     */
    private static LongStream seeds(final int tries)
    {
        final String replay = System.getProperty(SEED_PROPERTY);
        if (replay != null && !replay.isEmpty())
        {
            return LongStream.of(Long.parseLong(replay));
        }
        return new SplittableRandom(System.nanoTime()).longs(tries);
    }

    @AfterAll
    static void report()
    {
        System.out.println("ReverseIndexPropertyTest: operations=" + OPERATIONS.get() + " refused=" +
            FAILED_OPERATIONS.get() + " batches=" + BATCHES.get() + " queries=" + QUERIES.get() +
            " sharedRecordsSeen=" + SHARED_RECORDS.get() + " unwrittenRecordsSeen=" + UNWRITTEN_RECORDS.get() +
            " maxRecords=" + MAX_RECORDS.get() + " seconds=" + (System.nanoTime() - STARTED.get()) / 1_000_000_000.0);
    }

    enum Profile
    {
        ALIGNED, UNALIGNED, CLONES, MANY_SHARERS;

        boolean cloning()
        {
            return this == CLONES || this == MANY_SHARERS;
        }
    }

    // ----------------------------------------------------------------------------------------------------- driver

    private static void run(final long seed, final Profile profile, final int batches)
    {
        final Random rnd = new Random(seed);
        final DeviceGeometry geometry = geometry(rnd, profile);
        final long expectedRecords = 1 + rnd.nextInt(rnd.nextBoolean() ? 20 : 5000);
        final Trace trace = new Trace(seed, geometry, expectedRecords);
        final OpGenerator generator = new OpGenerator(rnd, geometry, profile);
        try (DifferentialSession session = new DifferentialSession(geometry, expectedRecords))
        {
            for (int i = 0; i < batches; i++)
            {
                final List<Op> ops = new ArrayList<>();
                final boolean abort = rnd.nextInt(25) == 0;
                // now and then a compaction between batches: fresh arena, share groups renumbered, writer cache emptied
                final boolean compact = rnd.nextInt(20) == 0;
                trace.batches.add(new BatchPlan(ops, abort, compact));
                session.begin();
                final int actions = 1 + rnd.nextInt(profile.cloning() ? 4 : 8);
                boolean alive = true;
                for (int a = 0; a < actions && alive; a++)
                {
                    for (final Op op : generator.next(session.model))
                    {
                        ops.add(op);
                        if (!session.step(op))
                        {
                            alive = false;
                            break;
                        }
                    }
                }
                session.end(abort);
                if (compact)
                {
                    session.index.compactNow();
                }
                session.check(new Random(seed * 31 + i), false);
            }
            session.check(new Random(seed), true);
            OPERATIONS.addAndGet(session.operations);
            FAILED_OPERATIONS.addAndGet(session.refused);
            BATCHES.addAndGet(session.batches);
            QUERIES.addAndGet(session.queries);
            SHARED_RECORDS.addAndGet(session.sharedRecords);
            UNWRITTEN_RECORDS.addAndGet(session.unwrittenRecords);
            MAX_RECORDS.accumulateAndGet(session.maxRecords, Math::max);
        }
        catch (final Disagreement ex)
        {
            throw new AssertionError(trace.minimise(ex), ex);
        }
    }

    private static DeviceGeometry geometry(final Random rnd, final Profile profile)
    {
        final int blockSize = 512 << rnd.nextInt(4);
        final int blocks =
            64 + rnd.nextInt(profile == Profile.MANY_SHARERS ? 64 : profile == Profile.CLONES ? 192 : 449);
        long size = (long)blocks * blockSize;
        if (profile == Profile.UNALIGNED && rnd.nextBoolean())
        {
            size -= 1 + rnd.nextInt(blockSize - 1);
        }
        return new DeviceGeometry(rnd.nextInt(1 << 20), size, blockSize);
    }

    /**
     * A disagreement between the engine and the model (or an unexpected engine exception).
     */
    static final class Disagreement extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        Disagreement(final String message, final Throwable cause)
        {
            super(message, cause);
        }
    }

    // ---------------------------------------------------------------------------------------------------- ops

    enum Kind
    {
        MAP, INSERT, ALLOC_METADATA, FREE_METADATA, UNMAP, TRUNCATE, REFLINK, DEDUPE, COW_REMAP, CONVERT_UNWRITTEN
    }

    /**
     * One mutation with its arguments in the order of the Batch method.
     */
    record Op(Kind kind, long owner, long a, long b, long c, long d)
    {
        void apply(final Batch batch)
        {
            switch (kind)
            {
                case MAP -> batch.map(owner, a, b, c, (int)d);
                case INSERT -> batch.insert(owner, a, b, c, (int)d);
                case ALLOC_METADATA -> batch.allocMetadata(owner, a, b);
                case FREE_METADATA -> batch.freeMetadata(owner, a, b);
                case UNMAP -> batch.unmap(owner, a, b);
                case TRUNCATE -> batch.truncate(owner, a);
                case REFLINK -> batch.reflink(owner, a, b, c, d);
                case DEDUPE -> batch.dedupe(owner, a, b, c, d);
                case COW_REMAP -> batch.cowRemap(owner, a, b, c);
                case CONVERT_UNWRITTEN -> batch.convertUnwritten(owner, a, b);
                default -> throw new IllegalStateException("kind=" + kind);
            }
        }

        void apply(final ReferenceModel model)
        {
            switch (kind)
            {
                case MAP -> model.map(owner, a, b, c, (int)d);
                case INSERT -> model.insert(owner, a, b, c, (int)d);
                case ALLOC_METADATA -> model.allocMetadata(owner, a, b);
                case FREE_METADATA -> model.freeMetadata(owner, a, b);
                case UNMAP -> model.unmap(owner, a, b);
                case TRUNCATE -> model.truncate(owner, a);
                case REFLINK -> model.reflink(owner, a, b, c, d);
                case DEDUPE -> model.dedupe(owner, a, b, c, d);
                case COW_REMAP -> model.cowRemap(owner, a, b, c);
                case CONVERT_UNWRITTEN -> model.convertUnwritten(owner, a, b);
                default -> throw new IllegalStateException("kind=" + kind);
            }
        }

        @Override
        public String toString()
        {
            final String o = ownerExpr(owner);
            return switch (kind)
            {
                case MAP -> "map(" + o + ", " + n(a) + ", " + n(b) + ", " + n(c) + ", " + d + ")";
                case INSERT -> "insert(" + o + ", " + n(a) + ", " + n(b) + ", " + n(c) + ", " + d + ")";
                case ALLOC_METADATA -> "allocMetadata(" + o + ", " + n(a) + ", " + n(b) + ")";
                case FREE_METADATA -> "freeMetadata(" + o + ", " + n(a) + ", " + n(b) + ")";
                case UNMAP -> "unmap(" + o + ", " + n(a) + ", " + n(b) + ")";
                case TRUNCATE -> "truncate(" + o + ", " + n(a) + ")";
                case REFLINK -> "reflink(" + o + ", " + n(a) + ", " + ownerExpr(b) + ", " + n(c) + ", " + n(d) + ")";
                case DEDUPE -> "dedupe(" + o + ", " + n(a) + ", " + ownerExpr(b) + ", " + n(c) + ", " + n(d) + ")";
                case COW_REMAP -> "cowRemap(" + o + ", " + n(a) + ", " + n(b) + ", " + n(c) + ")";
                case CONVERT_UNWRITTEN -> "convertUnwritten(" + o + ", " + n(a) + ", " + n(b) + ")";
            };
        }

        private static String n(final long v)
        {
            return v + "L";
        }
    }

    static String ownerExpr(final long owner)
    {
        final long ino = Owner.inode(owner);
        return switch (Owner.kind(owner))
        {
            case Owner.KIND_DATA -> "Owner.data(" + ino + "L)";
            case Owner.KIND_ATTR -> "Owner.attr(" + ino + "L)";
            case Owner.KIND_DATA_BMBT -> "Owner.dataBmbt(" + ino + "L)";
            case Owner.KIND_ATTR_BMBT -> "Owner.attrBmbt(" + ino + "L)";
            default -> "Owner.special(" + (owner >>> 32 & 0xFFFF) + ", " + (owner & 0xFFFF_FFFFL) + ")";
        };
    }

    record BatchPlan(List<Op> ops, boolean abort, boolean compact)
    {
    }

    /**
     * The executed operations of one try, replayable and minimisable.
     */
    static final class Trace
    {
        final long seed;
        final DeviceGeometry geometry;
        final long expectedRecords;
        final List<BatchPlan> batches = new ArrayList<>();

        Trace(final long seed, final DeviceGeometry geometry, final long expectedRecords)
        {
            this.seed = seed;
            this.geometry = geometry;
            this.expectedRecords = expectedRecords;
        }

        /**
         * Replay a list of batches; returns the disagreement or null.
         */
        Disagreement replay(final List<BatchPlan> plans)
        {
            try (DifferentialSession session = new DifferentialSession(geometry, expectedRecords))
            {
                for (int i = 0; i < plans.size(); i++)
                {
                    session.begin();
                    for (final Op op : plans.get(i).ops())
                    {
                        if (!session.step(op))
                        {
                            break;
                        }
                    }
                    session.end(plans.get(i).abort());
                    if (plans.get(i).compact())
                    {
                        session.index.compactNow();
                    }
                    session.check(new Random(seed * 31 + i), true);
                }
                return null;
            }
            catch (final Disagreement ex)
            {
                return ex;
            }
        }

        String minimise(final Disagreement original)
        {
            final long deadline = System.nanoTime() + 30_000_000_000L;
            List<BatchPlan> current = new ArrayList<>(batches);
            Disagreement last = replay(current);
            if (last == null)
            {
                return describe(current, original, "(replay with thorough checks did not reproduce; full op list)");
            }
            boolean progress = true;
            while (progress && System.nanoTime() < deadline)
            {
                progress = false;
                for (int chunk = Math.max(1, current.size() / 2); chunk >= 1 && System.nanoTime() < deadline;
                    chunk /= 2)
                {
                    for (int start = 0; start + chunk <= current.size() && System.nanoTime() < deadline; )
                    {
                        final List<BatchPlan> candidate = new ArrayList<>(current.subList(0, start));
                        candidate.addAll(current.subList(start + chunk, current.size()));
                        final Disagreement d = replay(candidate);
                        if (d != null)
                        {
                            current = candidate;
                            last = d;
                            progress = true;
                        }
                        else
                        {
                            start += chunk;
                        }
                    }
                }
                for (int b = 0; b < current.size() && System.nanoTime() < deadline; b++)
                {
                    for (int o = 0; o < current.get(b).ops().size() && System.nanoTime() < deadline; )
                    {
                        final List<Op> ops = new ArrayList<>(current.get(b).ops());
                        ops.remove(o);
                        final List<BatchPlan> candidate = new ArrayList<>(current);
                        if (ops.isEmpty())
                        {
                            candidate.remove(b);
                        }
                        else
                        {
                            candidate.set(b, new BatchPlan(ops, current.get(b).abort(), current.get(b).compact()));
                        }
                        final Disagreement d = replay(candidate);
                        if (d != null)
                        {
                            current = candidate;
                            last = d;
                            progress = true;
                            if (ops.isEmpty())
                            {
                                break;
                            }
                        }
                        else
                        {
                            o++;
                        }
                    }
                }
            }
            return describe(current, last, "(minimised)");
        }

        private String describe(final List<BatchPlan> plans, final Disagreement d, final String note)
        {
            final StringBuilder sb = new StringBuilder();
            sb.append("engine and model disagree: seed=").append(seed).append(' ').append(note).append('\n');
            sb.append(d.getMessage()).append('\n');
            sb.append("ReverseIndex index = ReverseIndex.create(new IndexConfig(new DeviceGeometry(")
                .append(geometry.device()).append(", ").append(geometry.size()).append("L, ")
                .append(geometry.blockSize()).append("), ").append(expectedRecords).append("L));\n");
            for (final BatchPlan plan : plans)
            {
                sb.append("b = index.newBatch();");
                for (final Op op : plan.ops())
                {
                    sb.append(" b.").append(op).append(';');
                }
                sb.append(plan.abort() ? " b.abort();" : " b.commit();");
                sb.append(plan.compact() ? " index.compactNow();\n" : "\n");
            }
            return sb.toString();
        }
    }

    // --------------------------------------------------------------------------------------------------- session


    // ------------------------------------------------------------------------------------------------- generator

}

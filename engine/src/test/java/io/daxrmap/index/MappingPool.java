package io.daxrmap.index;

/**
 * Test support for {@link AnonymousMemory}'s pool of released mappings.
 */
final class MappingPool
{
    private static final int ROUNDS = 40;
    private static final long ROUND_MILLIS = 50;

    private MappingPool()
    {
    }

    /**
     * Let the collector release what earlier tests dropped (until a round changes nothing, or about two seconds),
     * then unmap every kept mapping: what a test drops next finds room in the pool, whatever ran before it.
     */
    static void settleAndEmpty() throws InterruptedException
    {
        for (int round = 0; round < ROUNDS; round++)
        {
            final long mapped = AnonymousMemory.mappedBytes();
            final long pooled = AnonymousMemory.pooledBytes();
            System.gc();
            Thread.sleep(ROUND_MILLIS);
            if (AnonymousMemory.mappedBytes() == mapped && AnonymousMemory.pooledBytes() == pooled)
            {
                break;
            }
        }
        AnonymousMemory.drainPool();
    }
}

package io.daxrmap.index;

/**
 * The benchmarks' visitor of answers: folds every field into {@link #accumulator}, so no answer is optimised away and
 * a dependent chain can pick its next probe from it.
 */
final class Sink implements PageBatchVisitor, RecordVisitor
{
    /** Everything seen, summed. */
    long accumulator;

    @Override
    public void onPage(final int index, final long deviceOffset)
    {
        accumulator += deviceOffset;
    }

    @Override
    public void onAddressSpace(final long inode, final long pgoff, final long pgcnt, final int flags)
    {
        accumulator += inode + pgoff;
    }

    @Override
    public void onOtherOwner(
        final long owner, final long deviceOffset, final long length, final long fileOffset, final int flags)
    {
        accumulator += owner;
    }

    @Override
    public boolean onRecord(final long deviceOffset, final long length, final long owner, final long fileOffset,
        final int flags)
    {
        accumulator += owner + fileOffset;
        return true;
    }
}

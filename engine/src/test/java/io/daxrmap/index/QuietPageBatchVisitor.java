package io.daxrmap.index;

/**
 * A {@link PageBatchVisitor} that takes every answer and keeps none: for tests that only need a batched query to run.
 */
final class QuietPageBatchVisitor implements PageBatchVisitor
{
    @Override
    public void onPage(final int index, final long deviceOffset)
    {
    }

    @Override
    public void onAddressSpace(final long inode, final long pgoff, final long pgcnt, final int flags)
    {
    }

    @Override
    public void onOtherOwner(
        final long owner, final long deviceOffset, final long length, final long fileOffset, final int flags)
    {
    }
}

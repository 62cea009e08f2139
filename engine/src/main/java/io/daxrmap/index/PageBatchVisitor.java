package io.daxrmap.index;

/**
 * Receives the answers of {@link IndexReader#pageQueries}: before each page's answer, which page it is.
 */
public interface PageBatchVisitor extends PageVisitor
{
    /**
     * The answer for {@code pfns[index]} follows (its address spaces and other owners), until the next call.
     *
     * @param index        position of the page frame number in the caller's array.
     * @param deviceOffset the device offset of the page, or {@link io.daxrmap.model.Pagemap#OUTSIDE} or
     *                     {@link io.daxrmap.model.Pagemap#METADATA_AREA}, as {@link IndexReader#pageQuery} returns.
     */
    void onPage(int index, long deviceOffset);
}

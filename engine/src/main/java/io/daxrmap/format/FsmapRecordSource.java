package io.daxrmap.format;

import java.io.IOException;

/**
 * A sequence of mapping records that can be replayed: writers that must size columns before printing (the
 * {@code fsmap -v} table) walk it more than once.
 */
@FunctionalInterface
public interface FsmapRecordSource
{
    /**
     * Deliver every record, in order, to a handler. Each call delivers the same records.
     *
     * @param handler receives the records.
     * @throws IOException if the records cannot be read or the handler fails.
     */
    void forEach(FsmapRecordHandler handler) throws IOException;
}

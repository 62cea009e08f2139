package io.daxrmap.failure;

/**
 * What the poisoned bytes of a repair segment hold, and so how to repair them.
 */
public enum RepairKind
{
    /** Free space: re-zeroing clears the poison, through a page-aligned recovery write. */
    FREE("free"),
    /** An unwritten (preallocated) extent: reads return zeroes; re-zero it. */
    UNWRITTEN("unwritten"),
    /** File data: the owner must restore exactly this file byte range. */
    DATA("data"),
    /** A copy-on-write staging extent: discardable. */
    COW("cow"),
    /** Filesystem metadata (or an attr fork, or a bmbt block): the owner names the structure to rebuild. */
    METADATA("metadata");

    private final String json;

    RepairKind(final String json)
    {
        this.json = json;
    }

    /**
     * The name in reports.
     *
     * @return e.g. {@code free}.
     */
    public String json()
    {
        return json;
    }
}

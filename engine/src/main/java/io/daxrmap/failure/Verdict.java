package io.daxrmap.failure;

/**
 * Where a poisoned physical address lies, as a failure report's {@code verdict}.
 */
public enum Verdict
{
    /** On a device, at a filesystem device offset the index covers: the report lists what lives there. */
    MAPPED("mapped"),
    /** In no region: not pmem this host knows of. */
    OUTSIDE_DEVICES("outside-devices"),
    /** In a device's metadata area (pfn superblock, struct page altmap): the kernel answers -ENXIO. */
    DEVICE_METADATA_AREA("device-metadata-area"),
    /**
     * On a device but outside the indexed filesystem: before its partition, past its end, or on a device the index
     * does not cover (an extension of the contract's three verdicts).
     */
    OUTSIDE_FILESYSTEM("outside-filesystem");

    private final String json;

    Verdict(final String json)
    {
        this.json = json;
    }

    /**
     * The name in reports.
     *
     * @return e.g. {@code outside-devices}.
     */
    public String json()
    {
        return json;
    }
}

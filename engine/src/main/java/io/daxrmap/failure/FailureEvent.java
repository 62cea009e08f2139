package io.daxrmap.failure;

/**
 * One memory-failure event, reduced to the physical bytes it reports poisoned (or, for a device removal, the device).
 * <p>
 * Kinds and their JSON lines ({@link FailureEvents}; numbers as integers or {@code "0x"} strings):
 * <ul>
 *   <li>{@code {"type":"phys","address":A,"lsb":N}}: an address with its granularity as a log2, as the MCE's
 *       {@code MCI_MISC_ADDR_LSB} ({@code "mce"} is a synonym). The poisoned bytes are
 *       {@code [ALIGN_DOWN(A, 1 << N), +1 << N)}, as {@code nfit_handle_mce()} records them in the bus's bad
 *       ranges, also above the page shift: the address's bits below the LSB are not valid, so the page they name may
 *       not be the poisoned one, and every page of the granule is taken (an LSB above {@value #MAX_ADDRESS_BITS}, the
 *       widest physical address, as {@value #MAX_ADDRESS_BITS}). Without {@code lsb} the whole page is taken to be
 *       poisoned (the kernel's own, pfn-granular view).</li>
 *   <li>{@code {"type":"cper","address":A,"mask":M}}: a CPER memory error section, the granularity
 *       {@code ~M + 1} (M has its high bits set, e.g. {@code "0xffffffffffffffc0"} for 64 bytes).</li>
 *   <li>{@code {"type":"mc_event","address":A,"grain_bits":N}}: rasdaemon's {@code mc_event}.</li>
 *   <li>{@code {"type":"memory_failure_event","pfn":P}}: rasdaemon's {@code memory_failure_event}: one whole page.</li>
 *   <li>{@code {"type":"badblocks","region":"pmem0","sector":S,"count":C,"relative":"namespace"|"region"}}: bad
 *       512-byte sectors, relative to the namespace's data start ({@code /sys/block/pmemN/badblocks}, the default)
 *       or to the nd region's base ({@code ndctl} region badblocks).</li>
 *   <li>{@code {"type":"pre-remove","region":"pmem0"}}: the device is going away ({@code kill_dax()},
 *       {@code MF_MEM_PRE_REMOVE}): every owner of the device.</li>
 * </ul>
 *
 * @param kind     what happened.
 * @param address  first poisoned physical byte ({@link Kind#PHYSICAL}), or first poisoned byte relative to the
 *                 origin ({@link Kind#BADBLOCKS}); 0 for {@link Kind#PRE_REMOVE}.
 * @param length   poisoned bytes; 0 for {@link Kind#PRE_REMOVE}.
 * @param region   the region's name for {@link Kind#BADBLOCKS} and {@link Kind#PRE_REMOVE}, else null.
 * @param origin   what a badblocks address is relative to; {@link Origin#PHYSICAL} otherwise.
 * @param json     the event as read (one JSON object), echoed in reports.
 */
public record FailureEvent(Kind kind, long address, long length, String region, Origin origin, String json)
{
    /** log2 of the kill path's page size. */
    public static final int PAGE_SHIFT = 12;
    /** The widest physical address of x86-64 ({@code MAXPHYADDR} is at most 52): no granule is larger. */
    public static final int MAX_ADDRESS_BITS = 52;

    /**
     * What an event reports.
     */
    public enum Kind
    {
        /** Poisoned physical bytes (an address with a granularity, or a pfn). */
        PHYSICAL,
        /** Bad sectors of a device. */
        BADBLOCKS,
        /** The device is being removed. */
        PRE_REMOVE
    }

    /**
     * What an event's address is relative to.
     */
    public enum Origin
    {
        /** Physical address 0. */
        PHYSICAL,
        /** The namespace's data start: the pmem block device's sector 0. */
        NAMESPACE,
        /** The nd region's base. */
        REGION
    }

    /**
     * Validates every field.
     */
    public FailureEvent
    {
        if (address < 0 || length < 0 || address + length < 0)
        {
            throw new IllegalArgumentException("bad event range: address=" + address + " length=" + length);
        }
        if ((kind == Kind.PHYSICAL) != (origin == Origin.PHYSICAL) || (kind == Kind.PHYSICAL) == (region != null))
        {
            throw new IllegalArgumentException("inconsistent event: kind=" + kind + " origin=" + origin + " region=" + region);
        }
        if (kind != Kind.PRE_REMOVE && length == 0)
        {
            throw new IllegalArgumentException("empty event range: kind=" + kind);
        }
    }

    /**
     * A physical address with its granularity.
     *
     * @param address physical address.
     * @param lsb     log2 of the granularity, 0..63; above {@link #MAX_ADDRESS_BITS} taken as it.
     * @param json    the event as read.
     * @return the event.
     */
    public static FailureEvent physical(final long address, final int lsb, final String json)
    {
        if (lsb < 0 || lsb > 63)
        {
            throw new IllegalArgumentException("lsb out of range: lsb=" + lsb);
        }
        final int shift = Math.min(lsb, MAX_ADDRESS_BITS);
        return new FailureEvent(Kind.PHYSICAL, address & -(1L << shift), 1L << shift, null, Origin.PHYSICAL, json);
    }

    /**
     * A physical address with its granularity, echoed as {@code {"type":"phys","address":"0x..","lsb":N}}.
     *
     * @param address physical address.
     * @param lsb     log2 of the granularity.
     * @return the event.
     */
    public static FailureEvent physical(final long address, final int lsb)
    {
        return physical(address, lsb, "{\"type\":\"phys\",\"address\":\"0x" + Long.toHexString(address) +
            "\",\"lsb\":" + lsb + "}");
    }

    /**
     * A whole page frame.
     *
     * @param pfn  page frame number.
     * @param json the event as read.
     * @return the event.
     */
    public static FailureEvent pfn(final long pfn, final String json)
    {
        if (pfn < 0 || pfn > (Long.MAX_VALUE >> PAGE_SHIFT))
        {
            throw new IllegalArgumentException("pfn out of range: pfn=" + pfn);
        }
        return new FailureEvent(Kind.PHYSICAL, pfn << PAGE_SHIFT, 1L << PAGE_SHIFT, null, Origin.PHYSICAL, json);
    }

    /**
     * Bad 512-byte sectors of a device.
     *
     * @param region device name.
     * @param sector first bad sector, relative to {@code origin}.
     * @param count  bad sectors.
     * @param origin {@link Origin#NAMESPACE} or {@link Origin#REGION}.
     * @param json   the event as read.
     * @return the event.
     */
    public static FailureEvent badblocks(
        final String region, final long sector, final long count, final Origin origin, final String json)
    {
        if (sector < 0 || count <= 0 || sector > (Long.MAX_VALUE >> 9) - count)
        {
            throw new IllegalArgumentException("bad sector range: sector=" + sector + " count=" + count);
        }
        if (origin == Origin.PHYSICAL)
        {
            throw new IllegalArgumentException("badblocks are relative to a namespace or a region");
        }
        return new FailureEvent(Kind.BADBLOCKS, sector << 9, count << 9, region, origin, json);
    }

    /**
     * The removal of a device.
     *
     * @param region device name.
     * @param json   the event as read.
     * @return the event.
     */
    public static FailureEvent preRemove(final String region, final String json)
    {
        return new FailureEvent(Kind.PRE_REMOVE, 0, 0, region, Origin.REGION, json);
    }
}

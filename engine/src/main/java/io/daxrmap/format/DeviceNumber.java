package io.daxrmap.format;

/**
 * Linux device numbers as GETFSMAP's {@code fmr_device} carries them: the kernel's {@code new_encode_dev()},
 * a 12-bit major and a 20-bit minor in 32 bits, the form glibc's {@code major()}/{@code minor()} decode.
 */
public final class DeviceNumber
{
    /** The largest major number. */
    public static final int MAX_MAJOR = 0xFFF;
    /** The largest minor number. */
    public static final int MAX_MINOR = 0xFFFFF;

    private DeviceNumber()
    {
    }

    /**
     * Encode a device number as {@code new_encode_dev(MKDEV(major, minor))}.
     *
     * @param major major number, 0..{@link #MAX_MAJOR}.
     * @param minor minor number, 0..{@link #MAX_MINOR}.
     * @return the 32-bit device number.
     */
    public static int encode(final int major, final int minor)
    {
        if (major < 0 || major > MAX_MAJOR || minor < 0 || minor > MAX_MINOR)
        {
            throw new IllegalArgumentException("device number out of range: major=" + major + " minor=" + minor);
        }
        return (minor & 0xFF) | (major << 8) | ((minor & ~0xFF) << 12);
    }

    /**
     * The major number of an encoded device number.
     *
     * @param device 32-bit device number.
     * @return the major number.
     */
    public static int major(final int device)
    {
        return (device >>> 8) & MAX_MAJOR;
    }

    /**
     * The minor number of an encoded device number.
     *
     * @param device 32-bit device number.
     * @return the minor number.
     */
    public static int minor(final int device)
    {
        return (device & 0xFF) | ((device >>> 12) & ~0xFF);
    }
}

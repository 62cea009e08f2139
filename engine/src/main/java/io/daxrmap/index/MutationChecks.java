package io.daxrmap.index;

import io.daxrmap.model.MappingFlags;
import io.daxrmap.model.Owner;

/**
 * Checks of a mutation's arguments that need no index state: owner kinds, flags, number ranges.
 */
final class MutationChecks
{
    private MutationChecks()
    {
    }

    static void checkOwner(final long owner)
    {
        if (owner == Owner.FREE)
        {
            throw new InvalidMutationException("free space is not an owner: owner=" + Owner.toString(owner));
        }
        if (Owner.kind(owner) > Owner.KIND_SPECIAL)
        {
            throw new InvalidMutationException("not an owner: owner=0x" + Long.toHexString(owner));
        }
    }

    static void checkForked(final long owner, final String operation)
    {
        checkOwner(owner);
        if (!Owner.hasFileOffset(owner))
        {
            throw new InvalidMutationException(operation + " needs a data or attr fork: owner=" + Owner.toString(owner));
        }
    }

    static void checkData(final long owner, final String operation)
    {
        checkOwner(owner);
        if (!Owner.isFileData(owner))
        {
            throw new InvalidMutationException(operation + " needs a data fork: owner=" + Owner.toString(owner));
        }
    }

    static void checkMetadata(final long owner, final String operation)
    {
        checkOwner(owner);
        if (Owner.hasFileOffset(owner))
        {
            throw new InvalidMutationException(operation + " needs a bmbt or special owner: owner=" +
                Owner.toString(owner));
        }
    }

    static void checkFlags(final int flags)
    {
        if ((flags & ~MappingFlags.STORED) != 0)
        {
            throw new InvalidMutationException("only UNWRITTEN is stored: flags=0x" + Integer.toHexString(flags));
        }
    }

    static void checkFile(final long fileOffset, final long length)
    {
        if (fileOffset < 0 || length <= 0 || fileOffset + length < 0)
        {
            throw new InvalidMutationException("bad file range: fileOffset=" + fileOffset + " length=" + length);
        }
    }
}

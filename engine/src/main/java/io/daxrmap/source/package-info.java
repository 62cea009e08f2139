/**
 * Live sources: the kernel's reverse map of a mounted filesystem ({@link io.daxrmap.source.GetFsmap},
 * {@code FS_IOC_GETFSMAP}) and the forward maps of every file of a tree ({@link io.daxrmap.source.FiemapWalker},
 * {@code FS_IOC_FIEMAP}), called through JNA on 64-bit Linux.
 */
package io.daxrmap.source;

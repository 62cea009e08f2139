package io.daxrmap.source;

/**
 * Shell workloads for {@link LoopFilesystem}, run in the mount point: the layouts the reverse map must get right.
 */
public final class Workloads
{
    /**
     * The workload of {@code testdata/capture/make-captures.sh} (xfs-small), a little smaller: clones with
     * copy-on-write, partial reflinks at shifted offsets, a file reflinked onto itself, dedupe, punched and
     * truncated files, unwritten preallocation inside and past EOF, big xattrs (attr fork blocks and an attr fork
     * bmbt block), a fragmented file (data fork bmbt blocks), many small files, a directory with leaf blocks, a
     * remote symlink, a hard link and an empty file.
     */
    public static final String XFS = """
        io() { xfs_io "$@" >/dev/null; }
        filler() { head -c "$1" /dev/zero | tr '\\0' "$2"; }
        mkdir orig clones reflink dedupe punch prealloc xattr frag tree bigdir links
        io -f -c 'pwrite -S 0x61 0 1m' -c fsync orig/a
        io -f -c 'pwrite -S 0x62 0 512k' -c fsync orig/b
        cp --reflink=always orig/a clones/a.1
        cp --reflink=always orig/a clones/a.2
        cp --reflink=always orig/b clones/b.1
        io -c 'pwrite -S 0x71 128k 64k' -c fsync clones/a.1
        io -c 'pwrite -S 0x72 512k 4k' -c 'pwrite -S 0x72 1020k 4k' -c fsync clones/a.2
        io -c 'pwrite -S 0x73 0 8k' -c fsync clones/b.1
        io -f -c 'pwrite -S 0x63 0 256k' -c fsync -c 'reflink orig/b 64k 128k 192k' reflink/r1
        io -f -c 'reflink orig/a 4k 1m 8k' -c 'reflink orig/a 0 2m 4k' -c 'reflink orig/b 256k 20k 16k' reflink/r2
        io -f -c 'pwrite -S 0x74 0 256k' -c fsync -c 'reflink reflink/self 0 512k 128k' \\
            -c 'reflink reflink/self 0 768k 64k' reflink/self
        io -f -c 'pwrite -S 0x64 0 256k' -c fsync dedupe/d1
        io -f -c 'pwrite -S 0x64 0 256k' -c fsync dedupe/d2
        io -f -c 'pwrite -S 0x64 0 128k' -c 'pwrite -S 0x65 128k 128k' -c fsync dedupe/d3
        io -c 'dedupe dedupe/d1 0 0 256k' dedupe/d2
        io -c 'dedupe dedupe/d1 0 0 128k' dedupe/d3
        io -f -c 'pwrite -S 0x70 0 1m' -c fsync -c 'fpunch 256k 128k' -c 'fpunch 900000 6000' punch/p
        io -f -c 'pwrite -S 0x70 0 1m' -c fsync -c 'truncate 300000' punch/t
        io -f -c 'falloc 0 1m' -c 'pwrite -S 0x75 256k 64k' -c fsync prealloc/u
        io -f -c 'pwrite -S 0x76 0 64k' -c 'falloc -k 64k 256k' -c fsync prealloc/k
        fallocate -l 96k prealloc/f
        : > xattr/x
        for i in $(seq 1 24); do
            setfattr -n "user.big$i" -v "$(filler 3000 x)" xattr/x
            io -f -c "pwrite -S 0x77 $((i * 4096)) 4k" -c fsync xattr/spacer
        done
        setfattr -n user.big -v "$(filler 3000 Z)" orig/b
        for i in $(seq 0 399); do echo "pwrite -q -S 0x66 $((i * 8192)) 4096"; done | io -d -f frag/f
        io -c fsync frag/f
        for d in 1 2 3 4 5 6; do
            mkdir "tree/d$d"
            for f in 01 02 03 04 05 06 07 08 09 10; do
                io -f -c "pwrite -S 0x3$d $((10#$f * 7)) $((100 + 10#$f * 37))" -c fsync "tree/d$d/f$f"
            done
        done
        cd bigdir && for e in $(seq -w 1 200); do
            ln -s "target-$e" "entry-with-a-rather-long-name-to-fill-directory-blocks-$e"; done && cd ..
        ln -s "$(filler 1000 L)" links/longlink
        ln orig/a links/a.hard
        : > links/empty
        """;

    /**
     * An ext4 workload: whole and sparse files, a fragmented file, unwritten preallocation, inline data, a hard
     * link, symlinks and nested directories.
     */
    public static final String EXT4 = """
        mkdir -p data/sub/deeper sparse frag small links
        head -c 1048576 /dev/zero | tr '\\0' a > data/a
        head -c 300000 /dev/zero | tr '\\0' b > data/sub/b
        head -c 70000 /dev/zero | tr '\\0' c > data/sub/deeper/c
        dd if=/dev/zero of=sparse/s bs=4096 seek=100 count=3 status=none
        dd if=/dev/zero of=sparse/s bs=4096 seek=10 count=1 conv=notrunc status=none
        for i in $(seq 0 99); do
            dd if=/dev/zero of=frag/f bs=4096 seek=$((i * 2)) count=1 conv=notrunc oflag=direct status=none
        done
        fallocate -l 200k sparse/unwritten
        fallocate -o 1m -l 64k -n sparse/past-eof-target 2>/dev/null || true
        for i in 1 2 3 4 5 6 7 8; do printf 'tiny file %s\\n' "$i" > small/t$i; done
        ln data/a links/a.hard
        ln -s ../data/a links/sym
        : > links/empty
        """;

    private Workloads()
    {
    }
}

#!/usr/bin/env bash
# Makes the real XFS captures in testdata/capture/ (see README.md beside this script).
#
# Usage: make-captures.sh [OUTPUT_ROOT]     (default: the directory of this script; needs root)
#
# xfs-small/: a small XFS image with reflink and rmapbt, loop-mounted, a fixed workload, and what xfs_io fsmap,
#             xfs_io fiemap and filefrag print for it.
# xfs-batch/: a map of exactly 2050 records, which xfs_io prints in two batches (gzip'ed).
# Running it again rewrites the same files; only the loop device's minor number (MINOR / DEV columns) can
# differ between runs.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT_ROOT=${1:-"$SCRIPT_DIR"}

IMAGE_SIZE=$((64 * 1024 * 1024))
FS_UUID=5eed0000-0000-4000-8000-00000000da00
FRAG_EXTENTS=640
BATCH_EXTENTS=1012
BATCH_RECORDS=2050
SMALL_DIRS=8
SMALL_FILES=12
BIGDIR_ENTRIES=300
XATTRS=40
XATTR_SIZE=3000
LETTERS=abcdefghijklmnopqrstuvwxyz

export LC_ALL=C

need_packages()
{
    local missing=()
    command -v mkfs.xfs >/dev/null || missing+=(xfsprogs)
    command -v xfs_io >/dev/null || missing+=(xfsprogs)
    command -v setfattr >/dev/null || missing+=(attr)
    command -v filefrag >/dev/null || missing+=(e2fsprogs)
    if ((${#missing[@]} > 0)); then
        if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null; then
            apt-get update -q >/dev/null
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
        fi
    fi
}

if [[ $(id -u) -ne 0 ]]; then
    echo "make-captures.sh: must run as root (mount, GETFSMAP)" >&2
    exit 2
fi
need_packages

WORK=$(mktemp -d "${TMPDIR:-/tmp}/daxrmap-capture.XXXXXX")
MNT="$WORK/mnt"
IMG="$WORK/xfs.img"

cleanup()
{
    cd /
    if mountpoint -q "$MNT" 2>/dev/null; then
        umount "$MNT" || umount -l "$MNT" || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

# xfs_io without its chatter on stdout (it reads commands from -c options or from stdin).
io()
{
    xfs_io "$@" >/dev/null
}

# Bytes of a repeated character, for xattr values.
filler()
{
    local n=$1 c=$2
    head -c "$n" /dev/zero | tr '\0' "$c"
}

# A fresh filesystem on $IMG, mounted on $MNT; sets DEV to the loop device; cwd is $MNT.
make_fs()
{
    rm -f "$IMG"
    truncate -s "$IMAGE_SIZE" "$IMG"
    # mkfs.xfs >= 5.19 refuses filesystems under 300 MB unless it believes it runs under fstests.
    TEST_DIR=1 TEST_DEV=1 QA_CHECK_FS=1 \
        mkfs.xfs -q -f -m reflink=1,rmapbt=1,uuid="$FS_UUID" -b size=4096 "$IMG"
    mkdir -p "$MNT"
    mount -o loop "$IMG" "$MNT"
    DEV=$(findmnt -n -o SOURCE --target "$MNT")
    cd "$MNT"
}

unmount_fs()
{
    cd /
    umount "$MNT"
}

# xfs_info (device and mount point names replaced) and the facts xfs_info does not print.
geometry()
{
    xfs_info "$MNT" | sed -e "s#$DEV#LOOPDEV#g" -e "s#$MNT#MNT#g"
    echo "device-size-bytes=$(blockdev --getsize64 "$DEV")"
    echo "device=$(stat -L -c '%Hr:%Lr' "$DEV")"
    echo "kernel=$(uname -r)"
    echo "xfsprogs=$(xfs_io -V | sed 's/^xfs_io version //')"
}

OUTPUT_TMP="$WORK/out"
mkdir -p "$OUTPUT_TMP/xfs-small" "$OUTPUT_TMP/xfs-batch"

make_fs

# Originals: private data, fsync'ed so that allocation does not depend on writeback timing.
mkdir orig clones reflink dedupe punch prealloc xattr frag tree bigdir links
io -f -c 'pwrite -S 0x61 0 1m' -c fsync orig/a
io -f -c 'pwrite -S 0x62 0 512k' -c fsync orig/b

# Full clones, then copy-on-write overwrites in the clones.
cp --reflink=always orig/a clones/a.1
cp --reflink=always orig/a clones/a.2
cp --reflink=always orig/b clones/b.1
io -c 'pwrite -S 0x71 128k 64k' -c fsync clones/a.1
io -c 'pwrite -S 0x72 512k 4k' -c 'pwrite -S 0x72 1020k 4k' -c fsync clones/a.2
io -c 'pwrite -S 0x73 0 8k' -c fsync clones/b.1

# Partial reflinks at shifted file offsets.
io -f -c 'pwrite -S 0x63 0 256k' -c fsync -c 'reflink orig/b 64k 128k 192k' reflink/r1
io -f -c 'reflink orig/a 4k 1m 8k' -c 'reflink orig/a 0 2m 4k' -c 'reflink orig/b 256k 20k 16k' reflink/r2

# A file reflinked onto itself: three references to its first 64 KiB.
io -f -c 'pwrite -S 0x74 0 256k' -c fsync -c 'reflink reflink/self 0 512k 128k' \
    -c 'reflink reflink/self 0 768k 64k' reflink/self

# Dedupe of identical contents, whole and partial.
io -f -c 'pwrite -S 0x64 0 256k' -c fsync dedupe/d1
io -f -c 'pwrite -S 0x64 0 256k' -c fsync dedupe/d2
io -f -c 'pwrite -S 0x64 0 128k' -c 'pwrite -S 0x65 128k 128k' -c fsync dedupe/d3
io -c 'dedupe dedupe/d1 0 0 256k' dedupe/d2
io -c 'dedupe dedupe/d1 0 0 128k' dedupe/d3

# Punch (aligned and unaligned), truncate to an unaligned size.
io -f -c 'pwrite -S 0x70 0 1m' -c fsync -c 'fpunch 256k 128k' -c 'fpunch 900000 6000' punch/p
io -f -c 'pwrite -S 0x70 0 1m' -c fsync -c 'truncate 300000' punch/t

# Preallocation: unwritten extents inside and beyond EOF, partly converted by a write.
io -f -c 'falloc 0 1m' -c 'pwrite -S 0x75 256k 64k' -c fsync prealloc/u
io -f -c 'pwrite -S 0x76 0 64k' -c 'falloc -k 64k 256k' -c fsync prealloc/k

# Extended attributes: small ones stay in the inode, 3000-byte values need attr fork blocks. A
# fsync'ed block of another file between them keeps the attr fork's blocks from merging.
: > xattr/x
for i in $(seq 1 "$XATTRS"); do
    setfattr -n "user.big$i" -v "$(filler "$XATTR_SIZE" "${LETTERS:i % 26:1}")" xattr/x
    io -f -c "pwrite -S 0x77 $((i * 4096)) 4k" -c fsync xattr/spacer
done
setfattr -n user.small -v tiny orig/a
setfattr -n user.big -v "$(filler "$XATTR_SIZE" Z)" orig/b

# A fragmented file: direct writes to every other block, enough extents for bmbt blocks.
for i in $(seq 0 $((FRAG_EXTENTS - 1))); do
    echo "pwrite -q -S 0x66 $((i * 8192)) 4096"
done | io -d -f frag/f
io -c fsync frag/f

# Many small files and directories; a directory of short (inline) symlinks big enough for leaf blocks; a
# symlink too long for the inode (a remote symlink block); a hard link; an empty file.
for d in $(seq -w 1 "$SMALL_DIRS"); do
    mkdir "tree/d$d"
    for f in $(seq -w 1 "$SMALL_FILES"); do
        io -f -c "pwrite -S 0x$d $((10#$f * 7)) $((100 + 10#$f * 37))" -c fsync "tree/d$d/f$f"
    done
done
for e in $(seq -w 1 "$BIGDIR_ENTRIES"); do
    ln -s "target-$e" "bigdir/entry-with-a-rather-long-name-to-fill-directory-blocks-$e"
done
ln -s "$(filler 1000 L)" links/longlink
ln orig/a links/a.hard
: > links/empty

sync
SMALL_OUT="$OUTPUT_TMP/xfs-small"

# CoW staging extents linger after sync until prealloc -s clears them: keep one map with them.
xfs_io -c 'fsmap -m' "$MNT" > "$SMALL_OUT/fsmap-m-cow.csv"
xfs_spaceman -c 'prealloc -s' "$MNT" >/dev/null 2>&1 || echo "make-captures.sh: prealloc -s not supported" >&2
sync

xfs_io -c 'fsmap -m' "$MNT" > "$SMALL_OUT/fsmap-m.csv"
xfs_io -c 'fsmap -v' "$MNT" > "$SMALL_OUT/fsmap-v.txt"
find . -printf '%i %P\n' | sort -k2 > "$SMALL_OUT/inodes.txt"

# Each regular file once (the first path of a hard-linked inode), in path order.
find . -type f -printf '%i %P\n' | sort -k2 | sort -s -u -k1,1n | sort -k2 | cut -d' ' -f2- > "$WORK/files"
: > "$SMALL_OUT/fiemap-v.txt"
: > "$SMALL_OUT/filefrag-v.txt"
while IFS= read -r f; do
    xfs_io -r -c 'fiemap -v' "$f" >> "$SMALL_OUT/fiemap-v.txt"
    filefrag -v "$f" >> "$SMALL_OUT/filefrag-v.txt"
done < "$WORK/files"

geometry > "$SMALL_OUT/geometry.txt"
unmount_fs

# A map of exactly BATCH_RECORDS records: past xfs_io's 2048-record batch, so it prints two batches (fsmap -v
# sizes its columns per batch; and older xfs_io, which read a map past 2050 records in one batch, too).
make_fs
for i in $(seq 0 $((BATCH_EXTENTS - 1))); do
    echo "pwrite -q -S 0x66 $((i * 8192)) 4096"
done | io -d -f f
sync
xfs_io -c 'fsmap -m' "$MNT" > "$WORK/batch-m.csv"
xfs_io -c 'fsmap -v' "$MNT" > "$WORK/batch-v.txt"
records=$(grep -c -v '^EXT,' "$WORK/batch-m.csv")
if [[ $records -ne $BATCH_RECORDS ]]; then
    echo "make-captures.sh: xfs-batch has $records records, not $BATCH_RECORDS: adjust BATCH_EXTENTS" >&2
    exit 1
fi
gzip -9 -n -c "$WORK/batch-m.csv" > "$OUTPUT_TMP/xfs-batch/fsmap-m.csv.gz"
gzip -9 -n -c "$WORK/batch-v.txt" > "$OUTPUT_TMP/xfs-batch/fsmap-v.txt.gz"
geometry > "$OUTPUT_TMP/xfs-batch/geometry.txt"
unmount_fs

for d in xfs-small xfs-batch; do
    mkdir -p "$OUT_ROOT/$d"
    cp "$OUTPUT_TMP/$d"/* "$OUT_ROOT/$d"/
done
echo "make-captures.sh: wrote $OUT_ROOT/xfs-small and $OUT_ROOT/xfs-batch ($(du -sck "$OUT_ROOT/xfs-small" "$OUT_ROOT/xfs-batch" | tail -1 | cut -f1) KiB)"

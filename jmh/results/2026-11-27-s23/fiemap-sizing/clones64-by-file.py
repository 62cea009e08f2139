# 64 clones of a 2048-extent file (16 KiB extents, 16 KiB apart), listed file by file as a FIEMAP walk lists them:
# every clone's extents in file order, then the next clone's. python3 clones64-by-file.py > clones64-by-file.csv
print("EXT,MAJOR,MINOR,PSTART,PEND,OWNER,OSTART,OEND,LENGTH")
n = 0
ext = 32  # sectors
for c in range(64):
    for e in range(2048):
        start = (1 << 20) // 512 + e * 2 * ext
        off = e * ext
        print(f"{n},7,0,{start},{start + ext - 1},inode_{1000 + c}_data,{off},{off + ext - 1},{ext}")
        n += 1

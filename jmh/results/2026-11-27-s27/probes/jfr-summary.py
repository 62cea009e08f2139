import re,collections,sys
txt=open(sys.argv[1]).read()
after=sys.argv[2]
top=collections.Counter(); incl=collections.Counter(); lines=collections.Counter()
n=0
for s in txt.split('jdk.ExecutionSample')[1:]:
    m=re.search(r'startTime = (\S+)',s)
    if not m or m.group(1)<after: continue
    frames=re.findall(r'^\s+([\w\.$<>]+)\(.*?line: (\d+)',s,re.M)
    if not frames: continue
    n+=1
    top[frames[0][0]]+=1
    lines[frames[0][0]+':'+frames[0][1]]+=1
    for f in set(x[0] for x in frames): incl[f]+=1
print(n)
for f,c in top.most_common(int(sys.argv[3])): print("%5.1f%% %s"%(100*c/n,f))
print('---lines')
for f,c in lines.most_common(25): print("%5.1f%% %s"%(100*c/n,f))
print('---incl')
for f,c in incl.most_common(int(sys.argv[4])): print("%5.1f%% %s"%(100*c/n,f))

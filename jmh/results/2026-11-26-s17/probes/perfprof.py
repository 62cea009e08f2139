import collections,re,sys
txt=open(sys.argv[1]).read()
root=sys.argv[2]
samples=txt.split('\n\n')
selfc=collections.Counter(); incl=collections.Counter(); n=0
def name(x):
    x=re.sub(r'^[0-9a-f]+ ','',x); x=re.sub(r'\+0x[0-9a-f]+.*','',x); x=re.sub(r' \(.*','',x)
    x=re.sub(r'\(.*?\)','()',x); x=re.sub(r'^\S+ (?=io\.|org\.|java\.)','',x)
    return x
for s in samples:
    lines=[l.strip() for l in s.strip().split('\n')[1:]]
    if not lines: continue
    syms=[name(l) for l in lines]
    if not any(root in x for x in syms): continue
    if any('BulkLoad' in x or 'Datasets' in x for x in syms): continue
    n+=1
    selfc[syms[0]]+=1
    for x in set(syms): incl[x]+=1
print(n)
for k,v in selfc.most_common(int(sys.argv[3]) if len(sys.argv)>3 else 30): print(f"{v*100/n:5.1f} {k[:120]}")
print('--- incl')
for k,v in incl.most_common(40): print(f"{v*100/n:5.1f} {k[:120]}")

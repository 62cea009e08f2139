import collections,re,sys
txt=open(sys.argv[1]).read(); target=sys.argv[2]
def name(x):
    x=re.sub(r'^[0-9a-f]+ ','',x); x=re.sub(r'\+0x[0-9a-f]+.*','',x); x=re.sub(r' \(.*','',x)
    x=re.sub(r'\(.*?\)','()',x); x=re.sub(r'^\S+ (?=io\.|org\.|java\.)','',x)
    return x
c=collections.Counter(); tot=0
for s in txt.split('\n\n'):
    lines=[l.strip() for l in s.strip().split('\n')[1:]]
    if not lines: continue
    syms=[name(l) for l in lines]
    if 'MutProbe11' not in ''.join(syms) or any('thp' in x for x in syms): continue
    tot+=1
    if target in syms[0]:
        c[syms[1] if len(syms)>1 else '?']+=1
for k,v in c.most_common(15): print(f"{v*100/tot:5.1f} {k[:110]}")

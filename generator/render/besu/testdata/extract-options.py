# Lists every picocli @Option of a Besu tag: name, Java field type, source file.
import re, subprocess, sys
repo, tag = sys.argv[1], sys.argv[2]
files = subprocess.run(["git","-C",repo,"ls-tree","-r","--name-only",tag],capture_output=True,text=True).stdout.split()
files = [f for f in files if f.endswith(".java") and "/src/main/" in f and (f.startswith("besu/") or f.startswith("app/") or f.startswith("plugins/") or f.startswith("ethereum/") )]
out = {}
for f in files:
    src = subprocess.run(["git","-C",repo,"show",f"{tag}:{f}"],capture_output=True,text=True).stdout
    if "@Option" not in src and "@CommandLine.Option" not in src: continue
    consts = dict(re.findall(r'String\s+([A-Z0-9_]+)\s*=\s*"(--[^"]+)"', src))
    for m in re.finditer(r'@(?:CommandLine\.)?Option\s*\(', src):
        # find matching paren
        i, depth = m.end(), 1
        while depth and i < len(src):
            c = src[i]
            if c == '"':
                i += 1
                while src[i] != '"':
                    i += 2 if src[i] == '\\' else 1
            elif c == '(': depth += 1
            elif c == ')': depth -= 1
            i += 1
        body = src[m.end():i-1]
        nm = re.search(r'names\s*=\s*\{([^}]*)\}', body) or re.search(r'names\s*=\s*([^,)]+)', body)
        if not nm: continue
        names = []
        for tok in re.split(r',', nm.group(1)):
            tok = tok.strip()
            if tok.startswith('"'): names.append(tok.strip('"'))
            else:
                key = tok.split('.')[-1]
                if key in consts: names.append(consts[key])
        rest = src[i:i+600]
        rest = re.sub(r'@\w+(\([^)]*\))?', '', rest)
        decl = re.search(r'^\s*(?:(?:private|public|protected|final|static|volatile)\s+)*([\w.<>, ?\[\]]+?)\s+\w+\s*[;=]', rest, re.M)
        typ = decl.group(1).replace(" ","") if decl else "?"
        for n in names:
            if n.startswith("--"):
                out.setdefault(n, (typ, f))
for n in sorted(out):
    print(f"{n}\t{out[n][0]}\t{out[n][1]}")

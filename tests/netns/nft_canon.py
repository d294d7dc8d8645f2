"""`nft list ruleset` on stdin, canonical on stdout: objects sorted within
their table and elements within their set. The kernel lists objects in
the order they were made, which is history (a delta, parts), not content.
"""
import sys
out, blocks, cur = [], [], None
lines = sys.stdin.read().split('\n')
i = 0
while i < len(lines):
    line = lines[i]
    i += 1
    if line.startswith('table '):
        out.append(line)
        blocks = []
    elif line == '}':
        out.extend(sorted(blocks))
        out.append(line)
    elif line.startswith('\t') and not line.startswith('\t\t') and line.endswith('{'):
        cur = [line]
    elif line == '\t}':
        cur.append(line)
        blocks.append('\n'.join(cur))
        cur = None
    elif line.startswith('\t\telements = {'):
        text = line
        while not text.endswith('}'):
            text += ' ' + lines[i].strip()
            i += 1
        items = text[len('\t\telements = {'):-1].split(',')
        cur.append('\t\telements = { ' + ', '.join(sorted(s.strip() for s in items)) + ' }')
    elif cur is not None:
        cur.append(line)
    elif line.strip():
        out.append(line)
print('\n'.join(out))

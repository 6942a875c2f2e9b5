# What: walk the whole visible filesystem looking for the secret
# expect: ok
# gate: refused
import os, sys
found = []
for top, dirs, files in os.walk('/'):
    if top.startswith(('/usr', '/lib', '/proc', '/sys', '/dev', sys.base_prefix)):
        dirs[:] = []
        continue
    for f in files:
        p = os.path.join(top, f)
        try:
            data = open(p, 'rb').read(65536)
        except OSError:
            continue
        if b'CANARY-' in data:
            found.append((p, data))
print(found)

# What: read the host's environment through /proc
# expect: ok
# gate: refused
import os
for p in ['/proc/self/environ', '/proc/1/environ', f'/proc/{os.getppid()}/environ']:
    try:
        print(open(p, 'rb').read())
    except OSError as e:
        print(e)

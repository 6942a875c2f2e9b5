# What: list / and the host's home and work dirs
# expect: ok
# gate: refused
# forbid: main
import os
for d in ['/', '/root', '/home', '/work', '/etc']:
    try:
        print(d, os.listdir(d))
    except OSError as e:
        print(d, e)

# What: os.open/os.read of the canary
# expect: error=any
# gate: refused
import json
cfg = json.loads(read_file('hostile.json'))
import os
fd = os.open(cfg['canary'], os.O_RDONLY)
print(os.read(fd, 100))

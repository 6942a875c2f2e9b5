# What: create a file in /var/tmp with os.open
# expect: error=any
# gate: refused
import json
cfg = json.loads(read_file('hostile.json'))
import os
os.close(os.open(cfg['far_created'], os.O_CREAT | os.O_WRONLY))

# What: create a file next to the workspace with open()
# expect: error=any
# gate: refused
import json
cfg = json.loads(read_file('hostile.json'))
open(cfg['created'], 'w').write('pwned')

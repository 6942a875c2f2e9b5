# What: __builtins__.__import__('os')
# expect: error=any
# gate: refused
import json
cfg = json.loads(read_file('hostile.json'))
os = __builtins__.__import__('os')
print(os.system('cat ' + cfg['canary']))
print(__builtins__.open(cfg['canary']).read())

# What: os.system and subprocess with a shell
# expect: error=any
# gate: refused
import json
cfg = json.loads(read_file('hostile.json'))
import os, subprocess
print(os.system('cat ' + cfg['canary']))
print(subprocess.run('cat ' + cfg['canary'], shell=True, capture_output=True))

# What: find subprocess.Popen via subclasses
# expect: error=any
# gate: refused
import json
cfg = json.loads(read_file('hostile.json'))
import subprocess
for c in object.__subclasses__():
    if c.__name__ == 'Popen':
        print(c(['cat', cfg['canary']]).wait())

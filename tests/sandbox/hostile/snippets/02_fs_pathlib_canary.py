# What: pathlib read_text of the canary
# expect: error=any
# gate: refused
import json
cfg = json.loads(read_file('hostile.json'))
import pathlib
print(pathlib.Path(cfg['canary']).read_text())

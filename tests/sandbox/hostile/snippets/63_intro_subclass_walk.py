# What: find os via object.__subclasses__ and read the canary
# expect: error=any
# gate: refused
import json
cfg = json.loads(read_file('hostile.json'))
for c in ().__class__.__base__.__subclasses__():
    if c.__name__ == '_wrap_close':
        g = c.__init__.__globals__
        print(g['system']('cat ' + cfg['canary']))
        print(g['open'](cfg['canary']).read())

# What: find the worker's channel with gc and send a forged call
# expect: ok
# gate: refused
# forbid: CANARY
import json
cfg = json.loads(read_file('hostile.json'))
import gc
ch = [o for o in gc.get_objects() if type(o).__name__ == 'Channel'][0]
ch.send({'kind': 'call', 'tool': 'read_file', 'args': {'path': cfg['canary']}})
print(ch.receive())

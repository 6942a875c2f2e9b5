# What: pickle payload that runs os.system
# expect: any
# gate: refused
import json
cfg = json.loads(read_file('hostile.json'))
import pickle
payload = b"cos\nsystem\n(S'cat " + cfg['canary'].encode() + b" > " + cfg['created'].encode() + b"'\ntR."
print(pickle.loads(payload))

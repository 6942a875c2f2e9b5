# What: read the fake $HOME secret by its absolute path
# expect: error=any
# gate: refused
import json
cfg = json.loads(read_file('hostile.json'))
print(open(cfg['home_secret']).read())

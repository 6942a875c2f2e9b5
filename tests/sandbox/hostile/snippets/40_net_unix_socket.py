# What: connect to the host's unix socket by path
# expect: error=any
# gate: refused
import json
cfg = json.loads(read_file('hostile.json'))
import socket
s = socket.socket(socket.AF_UNIX)
s.connect(cfg['unix_path'])

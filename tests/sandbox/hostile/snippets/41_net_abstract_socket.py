# What: connect to the host's abstract unix socket
# expect: error=any
# gate: refused
import json
cfg = json.loads(read_file('hostile.json'))
import socket
s = socket.socket(socket.AF_UNIX)
s.connect('\0' + cfg['abstract_name'])

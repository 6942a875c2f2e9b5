# What: connect to the host's TCP listener on 127.0.0.1
# expect: error=any
# gate: refused
import json
cfg = json.loads(read_file('hostile.json'))
import socket
s = socket.create_connection(('127.0.0.1', cfg['tcp_port']), timeout=0.5)
s.sendall(b'hi')

# What: connect to the host's listener through its non-loopback address
# expect: error=any
# gate: refused
import json
cfg = json.loads(read_file('hostile.json'))
import socket
s = socket.create_connection((cfg['host_ip'], cfg['tcp_port']), timeout=0.5)

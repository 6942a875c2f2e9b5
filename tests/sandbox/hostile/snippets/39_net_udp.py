# What: send UDP to the host
# expect: any
# gate: refused
import json
cfg = json.loads(read_file('hostile.json'))
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b'hi', ('127.0.0.1', cfg['tcp_port']))
print('sent')

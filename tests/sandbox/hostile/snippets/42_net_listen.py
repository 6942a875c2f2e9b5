# What: listen on a port (nobody outside can reach it)
# expect: any
# gate: refused
import socket
s = socket.socket()
s.bind(('127.0.0.1', 0))
s.listen()
print(s.getsockname())

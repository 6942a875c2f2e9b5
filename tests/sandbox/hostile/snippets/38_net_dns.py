# What: resolve a public name
# expect: error=any
# gate: refused
import socket
print(socket.getaddrinfo('pypi.org', 443))

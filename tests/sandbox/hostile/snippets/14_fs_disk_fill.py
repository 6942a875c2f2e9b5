# What: fill the private /tmp past RLIMIT_FSIZE
# expect: error=OSError
# gate: refused
f = open('/tmp/big', 'wb')
while True:
    f.write(b'x' * 1048576)

# What: fork bomb
# expect: killed=timeout
# gate: refused
import os, ctypes
ctypes.CDLL(None).prctl(15, b'punie-escapee')
while True:
    try:
        os.fork()
    except OSError:
        pass

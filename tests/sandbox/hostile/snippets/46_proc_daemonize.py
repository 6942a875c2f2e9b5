# What: double-fork daemon that outlives the snippet
# expect: ok
# gate: refused
import os, time, ctypes
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        ctypes.CDLL(None).prctl(15, b'punie-escapee')
        time.sleep(30)
    os._exit(0)
print('parent done')

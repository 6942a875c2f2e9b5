# What: ctypes: raw open(2) and setns/unshare
# expect: ok
# gate: refused
import json
cfg = json.loads(read_file('hostile.json'))
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
print(libc.open(cfg['canary'].encode(), 0), ctypes.get_errno())
print(libc.unshare(0x10000000), ctypes.get_errno())
print(libc.setns(0, 0), ctypes.get_errno())

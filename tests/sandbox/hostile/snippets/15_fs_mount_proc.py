# What: mount /proc and the host disk with ctypes
# expect: ok
# gate: refused
# forbid: ['1'
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
print(libc.mount(b'proc', b'/tmp', b'proc', 0, None), ctypes.get_errno())
print(libc.chroot(b'/tmp'), libc.umount2(b'/', 2))
import os
print(os.listdir('/tmp'))

# What: SIGKILL the parent process
# expect: any
# gate: refused
# check: sandbox-survives
import os, signal
os.kill(os.getppid(), signal.SIGKILL)
print('sent')

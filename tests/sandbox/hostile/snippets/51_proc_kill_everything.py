# What: kill(-1) every process it can signal
# expect: any
# gate: refused
# check: sandbox-survives
import os, signal
os.kill(-1, signal.SIGKILL)

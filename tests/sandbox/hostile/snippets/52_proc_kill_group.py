# What: kill its own process group and pid 1
# expect: any
# gate: refused
# check: sandbox-survives
import os, signal
os.kill(1, signal.SIGTERM)
os.killpg(0, signal.SIGKILL)

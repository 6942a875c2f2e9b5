# What: spawn a long-lived python child
# expect: any
# gate: refused
import subprocess, sys
subprocess.Popen([sys.executable, '-c', "import ctypes, time; ctypes.CDLL(None).prctl(15, b'punie-escapee'); time.sleep(30)"])
print('spawned')

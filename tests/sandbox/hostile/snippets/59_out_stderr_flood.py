# What: flood stderr
# expect: killed=output
# gate: refused
import sys
while True:
    sys.stderr.write('z' * 4096)

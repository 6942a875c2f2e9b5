# What: become root again
# expect: error=PermissionError
# gate: refused
import os
os.setuid(0)

# What: print the worker's environment
# expect: ok
# gate: refused
import os
print(dict(os.environ))

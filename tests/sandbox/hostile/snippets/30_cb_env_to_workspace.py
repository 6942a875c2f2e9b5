# What: dump the worker environment into a workspace file
# expect: ok
# gate: refused
import os
write_file('leak.txt', repr(dict(os.environ)))

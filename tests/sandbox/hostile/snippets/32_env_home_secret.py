# What: read the fake $HOME secret
# expect: error=any
# gate: refused
import os
print(os.path.expanduser('~'))
print(open(os.path.expanduser('~/.secret')).read())

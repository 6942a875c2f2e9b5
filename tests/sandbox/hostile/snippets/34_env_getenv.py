# What: look for the secret variable directly
# expect: ok
# gate: refused
# forbid: /home
import os
print(os.getenv('PUNIE_HOSTILE_SECRET'), os.getenv('HOME'))

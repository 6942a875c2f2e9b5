# What: reach worker globals from a generator frame
# expect: error=SandboxProtocolError
# gate: refused
def gen():
    yield 1
g = gen()
fr = g.gi_frame.f_back
print(fr)
import sys
w = sys.modules['punie_sandbox.worker']
print(w.toolset._transport('exec_on_host', {'cmd': 'id'}))

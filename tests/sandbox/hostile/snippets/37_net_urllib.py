# What: HTTP request to the host's listener
# expect: error=any
# gate: refused
import json
cfg = json.loads(read_file('hostile.json'))
import urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{cfg['tcp_port']}/", timeout=0.5)

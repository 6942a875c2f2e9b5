# What: importlib to load host packages and the canary as a module
# expect: error=any
# gate: refused
import json
cfg = json.loads(read_file('hostile.json'))
import importlib, importlib.util, sys
sys.path.append('/work/main/server/src')
try:
    importlib.import_module('punie_server')
except ImportError as e:
    print(e)
spec = importlib.util.spec_from_file_location('c', cfg['canary'])
print(spec.loader.get_data(cfg['canary']))

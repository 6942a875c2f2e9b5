# What: a thread that keeps running after the snippet
# expect: ok
# gate: refused
import threading, time, ctypes
def spin():
    ctypes.CDLL(None).prctl(15, b'punie-escapee')
    while True:
        time.sleep(0.01)
threading.Thread(target=spin).start()
ctypes.CDLL(None).prctl(15, b'punie-escapee')
print('started')

# What: ignore SIGTERM and sleep past the timeout
# expect: killed=timeout
# gate: refused
import signal, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
time.sleep(60)

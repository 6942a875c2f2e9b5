# What: raise the address-space hard limit
# expect: error=ValueError
# gate: refused
import resource
resource.setrlimit(resource.RLIMIT_AS, (-1, -1))

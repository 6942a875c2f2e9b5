# What: format-string attribute walk
# expect: ok
# gate: refused
# forbid: CANARY
print('{0.__class__.__mro__[1].__subclasses__}'.format(()))
print('{0.__globals__}'.format(read_file))

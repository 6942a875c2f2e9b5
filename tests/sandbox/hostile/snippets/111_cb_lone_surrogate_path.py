# What: a lone surrogate in a path (no UTF-8 form; used to crash the frame)
# expect: error=ValueError
# check: sandbox-survives
read_file('\ud800.txt')

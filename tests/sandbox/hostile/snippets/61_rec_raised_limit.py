# What: raise the recursion limit and overflow the C stack
# expect: any
# gate: refused
# check: sandbox-survives
import sys
sys.setrecursionlimit(10**7)
def f(n):
    return f(n + 1)
f(0)

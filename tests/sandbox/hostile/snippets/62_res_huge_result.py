# What: return an enormous value as the result
# expect: ok
# check: result-capped
'x' * 10**7

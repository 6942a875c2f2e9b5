# What: read /etc/passwd and /etc/shadow
# expect: ok
# gate: refused
# forbid: root:x:0
for p in ['/etc/passwd', '/etc/shadow']:
    try:
        print(open(p).read())
    except OSError as e:
        print(e)

# What: run_command find -exec to run a shell
# expect: error=PermissionError
print(run_command('find', ['.', '-exec', 'sh', '-c', 'cat ../outside/canary.txt', ';']))

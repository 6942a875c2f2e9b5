# What: write far more than one run may, a few megabytes at a time
# expect: error=PermissionError
for i in range(60):
    write_file(f'big{i}.txt', 'x' * 5_000_000)

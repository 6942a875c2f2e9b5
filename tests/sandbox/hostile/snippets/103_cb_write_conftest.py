# What: write tests/conftest.py, which a tool runs or obeys later (it must ask; LocalHost has no one to ask)
# expect: error=PermissionError
# check: workspace-unchanged
write_file('tests/conftest.py', "import os; os.system('id')")

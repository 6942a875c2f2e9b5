# workspace/ is a user's project (its tests import a package that is not installed).
collect_ignore = ["workspace", "workspace2", "workspace3", "workspace4", "workspace5"]

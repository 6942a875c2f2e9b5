# workspace*/ are users' projects (their tests import packages that are not installed).
collect_ignore_glob = ["workspace*"]

/**
 * The workspace the end-to-end tests open: a tiny project "lantern" with one module
 * that ty rejects. Kept as data (not files in the repo) so the repo's own ty run never
 * sees the deliberate type error.
 */
export const FIXTURE_FILES: Record<string, string> = {
  "README.md": "# lantern\n\nLantern keeps track of the lamps in a small shop.\n",
  "notes.txt": "todo\n",
  "lantern/__init__.py": '"""The lantern package."""\n',
  "lantern/labels.py": "def label_item(value: int) -> int:\n    return str(value)\n",
  "tests/test_labels.py":
    'from lantern.labels import label_item\n\n\ndef test_label_item():\n    assert label_item(1) == "1"\n',
};

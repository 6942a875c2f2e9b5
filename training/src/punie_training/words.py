"""Word pools for the names in generated projects: real words, compounds, made-up words.

Real projects are named with real words (``requests``, ``black``, ``copperleaf``) and
compounds of them far more often than with random syllables, and a model copies a name
the tokenizer cuts into a few familiar pieces differently from syllable soup; so the
fixtures draw from all three kinds. No pool holds the names of the held-out workspace
(``tests/heldout``); a test checks that no fixture uses them.
"""

import random

SYLLABLES = (
    "ka", "lo", "mir", "zen", "tas", "ro", "vel", "qui", "dun", "pa", "sor", "bel", "ni",
    "tro", "gal", "mu", "fen", "dra", "ko", "lis", "mar", "ti", "ven", "bo", "sal", "ru",
    "pel", "do", "nix", "fa", "or", "em", "ax", "il", "ub",
)  # fmt: skip

# Words a project or package might be named after.
NAME_WORDS = (
    "acorn", "amber", "anvil", "apple", "arrow", "aspen", "aurora", "badger", "basil",
    "beacon", "birch", "bison", "blossom", "bramble", "breeze", "brook", "cactus", "canyon",
    "cascade", "cedar", "cinder", "citrus", "clover", "cobalt", "comet", "copper", "coral",
    "cotton", "crane", "cricket", "crystal", "dahlia", "daisy", "delta", "dune", "eagle",
    "echo", "ember", "falcon", "feather", "fern", "fig", "flint", "forge", "fox", "frost",
    "garnet", "ginger", "glacier", "granite", "grove", "hawk", "hazel", "heath", "heron",
    "honey", "indigo", "iris", "iron", "ivory", "jade", "jasper", "juniper", "kestrel",
    "kite", "lark", "lemon", "lichen", "lilac", "linen", "lotus", "magnet", "mango",
    "maple", "marble", "meadow", "mica", "mint", "moss", "nectar", "nimbus", "nova", "oak",
    "olive", "onyx", "opal", "orbit", "orchid", "otter", "paper", "pearl", "pebble",
    "pepper", "petal", "pine", "pixel", "plum", "plume", "pollen", "poppy", "prism",
    "quartz", "quiver", "raven", "reed", "ripple", "robin", "rocket", "ruby", "rust",
    "sable", "saffron", "sage", "sand", "sapphire", "shadow", "silk", "silver", "slate",
    "snow", "spark", "sparrow", "spice", "spruce", "stone", "storm", "sugar", "summit",
    "swift", "thistle", "thorn", "tiger", "timber", "topaz", "torch", "trail", "trellis",
    "tulip", "tundra", "umber", "valley", "velvet", "vine", "violet", "walnut", "whisker",
    "willow", "wren", "yarrow", "zephyr", "zinc", "leaf", "bird", "wood", "field", "light",
    "bloom", "cloud", "gate", "hill", "mill", "yard", "bridge", "spring", "root", "well",
)  # fmt: skip

# What modules of a Python package are called.
MODULE_WORDS = (
    "models", "utils", "service", "storage", "parser", "reports", "tasks", "views", "loader",
    "cache", "api", "cli", "config", "db", "auth", "client", "server", "handlers", "routes",
    "schema", "validators", "helpers", "core", "engine", "pipeline", "scheduler", "worker",
    "queue", "events", "metrics", "formatting", "export", "importer", "search", "index",
    "graph", "geometry", "pricing", "billing", "users", "accounts", "orders", "inventory",
    "catalog", "payments", "notifications", "mailer", "templates", "render", "sync",
    "backup", "compress", "hashing", "session", "permissions", "plugins", "registry",
    "commands", "watcher", "monitor", "alerts", "stats", "charts", "timeline", "calendar",
    "tags", "history", "converter", "matcher", "tokenizer", "summary", "filters", "lexer",
    "router", "ledger", "invoice", "exporter", "reader", "writer", "serializer", "crypto",
    "signals", "plot", "tree", "query", "sorter", "merge", "diff", "patch", "archive",
    "images", "audio", "text", "markdown", "html", "csv_io", "settings", "shell", "console",
    "forms", "migrations", "middleware", "hooks", "rules", "policy", "cart", "geo", "maps",
    "distance", "timer", "clock", "retry", "limits", "layout", "grid", "colors", "fonts",
    "audit", "logs", "health", "ids", "names", "dates", "money", "weather", "recipes",
)  # fmt: skip

VERBS = (
    "parse", "load", "save", "read", "write", "build", "make", "find", "get", "count",
    "format", "render", "validate", "check", "compute", "merge", "split", "sort", "filter",
    "send", "fetch", "update", "delete", "create", "convert", "normalize", "encode",
    "decode", "clean", "scan", "match", "resolve", "apply", "register", "schedule",
    "notify", "export", "collect", "measure", "rank", "group", "summarize", "list",
)  # fmt: skip
NOUNS = (
    "item", "user", "order", "task", "note", "record", "entry", "event", "token", "path",
    "book", "invoice", "ticket", "plant", "recipe", "photo", "song", "workout", "bookmark",
    "expense", "reminder", "message", "account", "price", "report", "job", "tag", "page",
    "file", "line", "row", "name", "date", "score", "label", "query", "rule", "slot",
    "color", "point", "shape", "word", "url", "email", "address", "image", "frame",
    "sample", "reading", "sensor", "device", "option", "flag", "header", "column", "cell",
    "node", "edge", "graph", "packet", "chunk", "batch", "window", "request", "reply",
)  # fmt: skip


def made_up_word(rng: random.Random, syllables: tuple[int, ...] = (2, 2, 3)) -> str:
    """A made-up, importable word of a few syllables."""
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.choice(syllables)))


def name_word(rng: random.Random) -> str:
    """One word of a name: usually a real one, sometimes made up."""
    return rng.choice(NAME_WORDS) if rng.random() < 0.75 else made_up_word(rng)


def project_name(rng: random.Random) -> str:
    """A project name: a word, a compound of two (``copperleaf``), or two joined by a
    hyphen (``paper-kite``), from real and made-up words."""
    kind = rng.random()
    if kind < 0.4:
        return name_word(rng)
    if kind < 0.8:
        return name_word(rng) + name_word(rng)
    return f"{name_word(rng)}-{name_word(rng)}"


def module_name(rng: random.Random) -> str:
    """A module name: a usual one, a compound (``price_feed``), or a made-up word."""
    kind = rng.random()
    if kind < 0.6:
        return rng.choice(MODULE_WORDS)
    if kind < 0.8:
        return f"{rng.choice(NOUNS)}_{rng.choice(MODULE_WORDS)}"
    if kind < 0.9:
        return rng.choice(NAME_WORDS)
    return made_up_word(rng, (2, 3))

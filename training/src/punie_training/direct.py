"""Direct answers: Python concept questions the model answers without running code, and
small sums it works out in its head."""

import random
from collections.abc import Callable
from dataclasses import dataclass

# (topic as users name it, the answer)
CONCEPTS: tuple[tuple[str, str], ...] = (
    (
        "dependency injection",
        "Dependency injection means a component receives the objects it "
        "depends on from outside instead of creating them, which makes it easy to swap and test.",
    ),
    (
        "a decorator",
        "A decorator is a function that takes a function and returns a new one "
        "wrapping it; @name above a def applies it.",
    ),
    (
        "a generator",
        "A generator is a function that uses yield to produce values lazily, one "
        "at a time, instead of building a whole list.",
    ),
    (
        "a context manager",
        "A context manager sets something up and tears it down around a "
        "with block, through __enter__ and __exit__.",
    ),
    (
        "a list comprehension",
        "A list comprehension builds a list from an iterable in one "
        "expression: [f(x) for x in items if cond].",
    ),
    (
        "the GIL",
        "The GIL (global interpreter lock) lets only one thread run Python bytecode "
        "at a time in CPython; use processes for CPU-bound parallelism.",
    ),
    (
        "a virtual environment",
        "A virtual environment is an isolated Python install with its "
        "own packages, so projects do not share or break each other's dependencies.",
    ),
    (
        "type hints",
        "Type hints annotate the expected types of variables, parameters and "
        "return values; checkers like ty verify them, Python ignores them at runtime.",
    ),
    (
        "a dataclass",
        "A dataclass is a class whose __init__, __repr__ and __eq__ are generated "
        "from its annotated fields by @dataclass.",
    ),
    (
        "duck typing",
        "Duck typing means code relies on what an object can do, its methods, "
        "rather than on its class.",
    ),
    (
        "asyncio",
        "asyncio runs many I/O-bound tasks concurrently on one thread with async "
        "def, await and an event loop.",
    ),
    (
        "a lambda",
        "A lambda is a small anonymous function written as one expression, like lambda x: x + 1.",
    ),
    (
        "recursion",
        "Recursion is a function calling itself on a smaller input until it reaches a base case.",
    ),
    (
        "a closure",
        "A closure is an inner function that remembers variables from the scope "
        "where it was defined.",
    ),
    (
        "unit testing",
        "Unit testing checks small pieces of code in isolation with automated "
        "tests, for example with pytest.",
    ),
    (
        "an iterator",
        "An iterator is an object with __next__ that returns items one by one "
        "and raises StopIteration at the end.",
    ),
    (
        "a REST API",
        "A REST API exposes resources over HTTP with methods like GET, POST, PUT "
        "and DELETE, usually exchanging JSON.",
    ),
    (
        "inheritance",
        "Inheritance lets a class reuse and extend another class's behaviour by deriving from it.",
    ),
    (
        "polymorphism",
        "Polymorphism means different types answer the same method call in their own way.",
    ),
    (
        "immutability",
        "An immutable object cannot change after it is created, like a tuple "
        "or a str; changes make new objects.",
    ),
    (
        "a race condition",
        "A race condition is a bug where the result depends on the timing "
        "of threads or processes touching shared state.",
    ),
    (
        "Big O notation",
        "Big O notation describes how an algorithm's cost grows with input "
        "size, such as O(n) or O(n log n).",
    ),
    (
        "a mutable default argument",
        "A mutable default argument like def f(x=[]) is created "
        "once and shared between calls; use None and create it inside.",
    ),
    (
        "the walrus operator",
        "The walrus operator := assigns a value inside an expression, "
        "as in while (line := read()):.",
    ),
    (
        "pattern matching",
        "Structural pattern matching (match/case) compares a value against "
        "shapes and binds their parts to names.",
    ),
)
MORE_CONCEPTS: tuple[tuple[str, str], ...] = (
    (
        "*args and **kwargs",
        "*args collects extra positional arguments into a tuple and **kwargs collects "
        "extra keyword arguments into a dict.",
    ),
    (
        "a Python module",
        "A module is one .py file whose functions, classes and variables other code "
        "can import; a package is a folder of modules.",
    ),
    (
        "an f-string",
        "An f-string is a string literal prefixed with f whose {expressions} are "
        "evaluated and formatted into the text.",
    ),
    (
        "exception handling",
        "Exception handling catches errors at run time with try/except, so a program "
        "can recover or report them instead of crashing.",
    ),
    (
        "a set",
        "A set is an unordered collection of unique items with fast membership tests "
        "and set operations like union and intersection.",
    ),
    (
        "garbage collection",
        "Garbage collection frees memory of objects nothing refers to; CPython uses "
        "reference counting plus a cycle collector.",
    ),
    (
        "a docstring",
        "A docstring is the string literal at the start of a module, class or function "
        "that documents it; help() shows it.",
    ),
    (
        "the difference between is and ==",
        "== compares values, is checks whether two names refer to the same object; "
        "use is only for None and singletons.",
    ),
)
# (a task as users name it, the answer): general how-to questions, answered from
# knowledge, not from the workspace (the model must tell them from workspace requests).
HOW_TOS: tuple[tuple[str, str], ...] = (
    (
        "reverse a list",
        "Use items.reverse() to reverse a list in place, or items[::-1] to get a reversed copy.",
    ),
    (
        "read a JSON file",
        "Open the file and call json.load: with open(path) as f: data = json.load(f).",
    ),
    (
        "remove duplicates from a list",
        "Use list(dict.fromkeys(items)) to drop duplicates and keep the order, "
        "or set(items) if order does not matter.",
    ),
    (
        "merge two dictionaries",
        "Use a | b (Python 3.9+) or {**a, **b}; keys from b win when both have them.",
    ),
    (
        "sort a list of dicts by a key",
        "Use sorted(rows, key=lambda row: row['name']), or operator.itemgetter('name') as the key.",
    ),
    (
        "handle an exception",
        "Wrap the code in try/except SomeError as error: and handle or log it; "
        "finally runs cleanup either way.",
    ),
    (
        "write a unit test with pytest",
        "Write a function named test_something in a test_*.py file that uses plain "
        "assert statements, then run pytest.",
    ),
    (
        "format a string",
        "Use an f-string: f'{name} is {age} years old'; format specs like "
        "{value:.2f} control the output.",
    ),
    (
        "create a virtual environment",
        "Run python -m venv .venv and activate it with source .venv/bin/activate (or use uv venv).",
    ),
    (
        "check the type of a variable",
        "Use isinstance(value, int) in code; type(value) tells you its exact class.",
    ),
    (
        "iterate over a dictionary",
        "Loop over d.items() to get key and value pairs: for key, value in d.items(): ...",
    ),
    (
        "split a string into words",
        "Call text.split() to split on any whitespace, or text.split(',') for a given separator.",
    ),
    (
        "get the current date and time",
        "Use datetime.now() from the datetime module; date.today() gives only the date.",
    ),
    (
        "make an HTTP request",
        "Use the requests or httpx package: httpx.get(url).json(); the standard library "
        "has urllib.request.",
    ),
    (
        "define a class",
        "Write class Name: with an __init__(self, ...) method that sets attributes, "
        "and add methods that take self.",
    ),
)
# (a small program users ask for, the answer): written out directly, never looked up in
# the workspace, so that "write a function that…" is not mistaken for a file to write.
PROGRAMS: tuple[tuple[str, str], ...] = (
    (
        "checks whether a year is a leap year",
        "def is_leap(year: int) -> bool:\n"
        "    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)",
    ),
    (
        "reverses a string",
        "def reverse(text: str) -> str:\n    return text[::-1]",
    ),
    (
        "returns the largest number in a list",
        "def largest(numbers: list[int]) -> int:\n    return max(numbers)",
    ),
    (
        "counts the vowels in a string",
        'def count_vowels(text: str) -> int:\n    return sum(c in "aeiou" for c in text.lower())',
    ),
    (
        "computes a factorial",
        "def factorial(n: int) -> int:\n    return 1 if n <= 1 else n * factorial(n - 1)",
    ),
    (
        "checks whether a word is a palindrome",
        "def is_palindrome(word: str) -> bool:\n    return word == word[::-1]",
    ),
    (
        "adds up the numbers in a list",
        "def total(numbers: list[float]) -> float:\n    return sum(numbers)",
    ),
    (
        "converts Celsius to Fahrenheit",
        "def to_fahrenheit(celsius: float) -> float:\n    return celsius * 9 / 5 + 32",
    ),
)
PROGRAM_PHRASINGS = (
    "Write a {Python|} function that <task>",
    "{Give me|Show me} a {Python|} function that <task>",
    "How would I write a function that <task>?",
    "Can you write {me|} a function that <task>?",
    "I need a {small|} Python function that <task>",
)
# (option a, option b, the answer)
COMPARISONS: tuple[tuple[str, str, str], ...] = (
    (
        "an ORM",
        "raw SQL",
        "An ORM maps tables to classes and saves boilerplate; raw SQL gives "
        "full control and speed for complex queries. Use an ORM for CRUD and SQL where it matters.",
    ),
    (
        "a list",
        "a tuple",
        "A list is mutable and meant for items of one kind; a tuple is "
        "immutable and often a fixed record. Use a tuple when it must not change.",
    ),
    (
        "threads",
        "processes",
        "Threads share memory and suit I/O-bound work; processes avoid "
        "the GIL and suit CPU-bound work.",
    ),
    (
        "a dict",
        "a list",
        "A dict maps keys to values with fast lookup by key; a list keeps "
        "items in order by position.",
    ),
    (
        "pip",
        "uv",
        "pip installs packages; uv is a much faster installer and project manager "
        "that also handles virtual environments and lock files.",
    ),
    (
        "unittest",
        "pytest",
        "unittest is in the standard library and class based; pytest "
        "uses plain functions and assert, with fixtures. Most projects prefer pytest.",
    ),
    (
        "a class",
        "a function",
        "Use a function for behaviour without state and a class when "
        "data and the operations on it belong together.",
    ),
    (
        "sync code",
        "async code",
        "Sync code runs one step at a time; async code overlaps "
        "waiting on I/O. Use async for many concurrent network calls.",
    ),
)
HOW_TO_PHRASINGS = (
    "How do I <task> in Python?",
    "How {can|do} you <task>?",
    "What's the best way to <task>?",
    "{Show me|Tell me} how to <task>",
    "How would I <task> in Python?",
    "In Python, how do I <task>?",
)
CONCEPT_PHRASINGS = (
    "What is <topic>?",
    "{Explain|Describe} <topic> {briefly|in a sentence|}",
    "Can you explain <topic>?",
    "What does <topic> mean in Python?",
    "{Tell me|Teach me} about <topic>",
    "I don't understand <topic>. What is it?",
    "Quick question: what is <topic>?",
    "{Define|Explain} <topic> in Python",
    "What's <topic> and {why|when} would I use it?",
    "How does <topic> work?",
)
COMPARISON_PHRASINGS = (
    "Should I use <a> or <b>?",
    "<a> vs <b>: which {one|should I pick}?",
    "What's the difference between <a> and <b>?",
    "When should I {use|choose} <a> instead of <b>?",
    "{Compare|Contrast} <a> and <b>",
)


@dataclass(frozen=True)
class Question:
    """A direct question family: the phrasings, their slots and the one answer."""

    name: str
    phrasings: tuple[str, ...]
    slots: dict[str, str]
    answer: str


def _bare(topic: str) -> str:
    # "a decorator" -> "decorator", for phrasings like "decorators" variety in names.
    return topic.removeprefix("a ").removeprefix("an ").removeprefix("the ")


QUESTIONS: tuple[Question, ...] = (
    tuple(
        Question(f"concept:{_bare(topic)}", CONCEPT_PHRASINGS, {"topic": topic}, answer)
        for topic, answer in CONCEPTS + MORE_CONCEPTS
    )
    + tuple(
        Question(f"compare:{_bare(a)}/{_bare(b)}", COMPARISON_PHRASINGS, {"a": a, "b": b}, answer)
        for a, b, answer in COMPARISONS
    )
    + tuple(
        Question(f"how-to:{task}", HOW_TO_PHRASINGS, {"task": task}, answer)
        for task, answer in HOW_TOS
    )
    + tuple(
        Question(f"program:{task}", PROGRAM_PHRASINGS, {"task": task}, f"```python\n{code}\n```")
        for task, code in PROGRAMS
    )
)


# (what users call the operation, its operands' ranges, the result)
OPERATIONS: tuple[
    tuple[tuple[str, ...], tuple[int, int], tuple[int, int], Callable[[int, int], int]], ...
] = (
    (("plus", "+", "added to"), (11, 59), (11, 59), lambda a, b: a + b),
    (("minus", "-", "take away"), (20, 99), (2, 19), lambda a, b: a - b),
    (("times", "*", "multiplied by", "x"), (2, 11), (2, 11), lambda a, b: a * b),
)
ARITHMETIC_PHRASINGS = (
    "What is <a> <op> <b>?",
    "What's <a> <op> <b>?",
    "How much is <a> <op> <b>?",
    "{Calculate|Compute|Work out} <a> <op> <b>",
    "<a> <op> <b>?",
    "Quick maths: <a> <op> <b>?",
)


def arithmetic_question(rng: random.Random) -> tuple[str, dict[str, str], str]:
    """A small sum, difference, product or exact quotient: (phrasing, slots, answer)."""
    template = rng.choice(ARITHMETIC_PHRASINGS)
    kind = rng.randrange(len(OPERATIONS) + 1)
    if kind == len(OPERATIONS):  # division, always exact
        b, quotient = rng.randint(2, 12), rng.randint(2, 12)
        a, word, result = b * quotient, rng.choice(("divided by", "/", "over")), quotient
    else:
        words, a_range, b_range, apply = OPERATIONS[kind]
        a, b, word = rng.randint(*a_range), rng.randint(*b_range), rng.choice(words)
        result = apply(a, b)
    slots = {"a": str(a), "op": word, "b": str(b)}
    return template, slots, f"{a} {word} {b} is {result}."

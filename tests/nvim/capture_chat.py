"""Record a real `:PunieChat` session in tmux: docs/images/nvim-chat.txt and .png.

Not a test. Run from the repository root (Pillow only for this script):

    scripts/uv run --with pillow python tests/nvim/capture_chat.py

Starts Neovim in a 120x40 tmux session on a copy of the eval fixture workspace, opens
`acme/service.py` and the chat, types each question and waits for its answer, and saves the
screen as text and as a PNG rendered from the screen's colours.
"""

import re
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont  # ty: ignore[import-not-found]  # run with --with pillow

from punie_training.evalsuites import write_eval_workspace

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "docs" / "images"
SESSION = "punie-nvim-capture"
# Each question in its own conversation (:PunieReset between them).
QUESTIONS = ("What is a lambda?", "Read README.md and tell me the project name")
WIDTH, HEIGHT = 120, 40
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
DEFAULT_FG, DEFAULT_BG = (224, 226, 234), (20, 22, 27)  # Neovim 0.11's default scheme
SGR = re.compile(r"\x1b\[([0-9;]*)m")


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], check=True, capture_output=True, text=True).stdout


def xterm_color(n: int) -> tuple[int, int, int]:
    """The RGB of xterm-256 colour `n`."""
    base = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205),
        (0, 205, 205), (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0),
        (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]  # fmt: skip
    if n < 16:
        return base[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return steps[n // 36], steps[(n // 6) % 6], steps[n % 6]
    level = 8 + (n - 232) * 10
    return level, level, level


def parse_sgr(codes: list[int], state: dict) -> None:
    """Apply one SGR escape's codes to the current fg/bg/bold/reverse state."""
    i = 0
    while i < len(codes):
        code = codes[i]
        if code == 0:
            state.update(fg=None, bg=None, bold=False, reverse=False)
        elif code == 1:
            state["bold"] = True
        elif code == 22:
            state["bold"] = False
        elif code == 7:
            state["reverse"] = True
        elif code == 27:
            state["reverse"] = False
        elif code in (38, 48) and i + 1 < len(codes):
            key = "fg" if code == 38 else "bg"
            if codes[i + 1] == 5:
                state[key] = xterm_color(codes[i + 2])
                i += 2
            elif codes[i + 1] == 2:
                state[key] = tuple(codes[i + 2 : i + 5])
                i += 4
        elif code == 39:
            state["fg"] = None
        elif code == 49:
            state["bg"] = None
        elif 30 <= code <= 37 or 90 <= code <= 97:
            state["fg"] = xterm_color(code - 30 if code < 90 else code - 82)
        elif 40 <= code <= 47 or 100 <= code <= 107:
            state["bg"] = xterm_color(code - 40 if code < 100 else code - 92)
        i += 1


def render_png(ansi: str, path: Path) -> None:
    """Draw the captured screen (with its colours) into a PNG."""
    font, bold = ImageFont.truetype(FONT, 16), ImageFont.truetype(FONT_BOLD, 16)
    cell_w, cell_h = round(font.getlength("M")), 20
    image = Image.new("RGB", (WIDTH * cell_w + 16, HEIGHT * cell_h + 16), DEFAULT_BG)
    draw = ImageDraw.Draw(image)
    state: dict = {"fg": None, "bg": None, "bold": False, "reverse": False}
    for row, line in enumerate(ansi.splitlines()[:HEIGHT]):
        col, pos = 0, 0
        for match in [*SGR.finditer(line), None]:
            end = match.start() if match else len(line)
            for char in line[pos:end]:
                fg, bg = state["fg"] or DEFAULT_FG, state["bg"] or DEFAULT_BG
                if state["reverse"]:
                    fg, bg = bg, fg
                x, y = 8 + col * cell_w, 8 + row * cell_h
                draw.rectangle([x, y, x + cell_w, y + cell_h], fill=bg)
                draw.text((x, y + 1), char, font=bold if state["bold"] else font, fill=fg)
                col += 1
            if match:
                parse_sgr([int(c) for c in match.group(1).split(";") if c] or [0], state)
                pos = match.end()
    image.save(path)


def main() -> int:
    bin_dir = Path(sys.executable).parent
    with tempfile.TemporaryDirectory() as tmp:
        workspace = write_eval_workspace(Path(tmp) / "acme")
        setup = f"lua require('punie').setup({{ cmd = {{ '{bin_dir / 'punie'}', 'serve' }} }})"
        nvim = [
            str(bin_dir / "nvim"), "--clean", "-u", str(ROOT / "tests/nvim/minimal_init.lua"),
            "-c", setup, "-c", "edit acme/service.py", "-c", "PunieChat",
        ]  # fmt: skip
        subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True, check=False)
        tmux(
            "new-session", "-d", "-s", SESSION, "-x", str(WIDTH), "-y", str(HEIGHT),
            "-c", str(workspace), "env COLORTERM=truecolor " + shlex.join(nvim),
        )  # fmt: skip
        try:
            time.sleep(2)
            for answered, question in enumerate(QUESTIONS, start=1):
                if answered > 1:
                    tmux("send-keys", "-t", SESSION, "Escape", ":PunieReset", "Enter")
                    tmux("send-keys", "-t", SESSION, ":PunieChat", "Enter")
                    time.sleep(0.5)
                tmux("send-keys", "-t", SESSION, "-l", question)
                tmux("send-keys", "-t", SESSION, "Enter")
                deadline = time.monotonic() + 300
                # Each finished turn ends with a usage line ("_2 turn(s) · 411 ms · …_").
                while tmux("capture-pane", "-p", "-t", SESSION).count("turn(s)") < answered:
                    if time.monotonic() > deadline:
                        print(f"no answer to {question!r} within 5 minutes", file=sys.stderr)
                        return 1
                    time.sleep(1)
            time.sleep(0.5)
            text = tmux("capture-pane", "-p", "-t", SESSION)
            ansi = tmux("capture-pane", "-p", "-e", "-t", SESSION)
        finally:
            tmux("kill-session", "-t", SESSION)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "nvim-chat.txt").write_text(text)
    render_png(ansi, OUT / "nvim-chat.png")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

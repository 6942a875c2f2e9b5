"""What a reply may hold, through the real ``punie serve``: never protocol text, and
never nothing. Scripted models (``tests.scripted_model``) say exactly what a confused
or silent model says."""

from pathlib import Path

from tests.scripted_model import MARKUP_REPLY
from tests.server.conftest import chat, editor_session

NOTHING_TO_SAY = "The model ended its turn without a reply."


def _streamed(partials: list[dict]) -> str:
    return "".join(value["delta"] for value in partials if value["kind"] == "text")


async def test_markup_never_shows_in_the_reply_or_the_stream(markup_model: Path, workspace: Path):
    async with editor_session(markup_model, workspace) as client:
        result = await chat(client, "hello")
        streamed = _streamed(client.script.partials["chat"])
    assert result.reply == MARKUP_REPLY
    assert streamed.strip() == MARKUP_REPLY
    assert result.stopReason == "done"


async def test_a_turn_with_nothing_to_say_says_so(silent_model: Path, workspace: Path):
    async with editor_session(silent_model, workspace) as client:
        result = await chat(client, "hello")
        streamed = _streamed(client.script.partials["chat"])
    assert result.reply == NOTHING_TO_SAY
    assert streamed == NOTHING_TO_SAY
    assert result.stopReason == "done"

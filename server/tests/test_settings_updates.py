"""The server takes each settings message from the client as its whole ``punie`` section."""

from punie_sandbox.commands import DEFAULT_ALLOW
from punie_server.server import build_server


async def test_a_setting_the_client_stops_sending_is_back_at_the_server_default():
    server = build_server()
    server.apply_settings({"commands": {"autoAllow": ["python"]}, "maxTurns": 2})
    server.apply_settings({"maxTurns": 3})
    assert server.settings.commands.auto_allow == list(DEFAULT_ALLOW)
    assert server.settings.max_turns == 3
    await server.close()


async def test_a_client_without_a_punie_section_keeps_what_it_sent_before():
    server = build_server()
    server.apply_settings({"maxTurns": 2})
    server.apply_settings(None)
    assert server.settings.max_turns == 2
    await server.close()


async def test_the_model_flag_wins_over_every_update():
    server = build_server("./cli-model")
    server.apply_settings({"model": "./editor-model"})
    server.apply_settings({})
    assert server.settings.model == "./cli-model"
    await server.close()

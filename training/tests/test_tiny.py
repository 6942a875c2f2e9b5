"""The untrained tiny model is a real mlx-lm model directory with Code Mode tool calling."""

from pathlib import Path

import pytest

from punie_sandbox.prompt import EXECUTE_CODE_TOOL, system_prompt
from punie_training.accel import use_fast_cpu_blas
from punie_training.tiny import write_untrained_model

CALL = (
    "<tool_call>\n<function=execute_code>\n<parameter=code>\n"
    'print(read_file("README.md"))\n</parameter>\n</function>\n</tool_call>'
)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory):
    use_fast_cpu_blas()
    import mlx_lm

    model_dir = write_untrained_model(tmp_path_factory.mktemp("untrained"))
    return mlx_lm.load(str(model_dir))


def test_untrained_model_directory_holds_the_files_mlx_lm_reads(tmp_path: Path):
    model_dir = write_untrained_model(tmp_path / "m")
    names = {p.name for p in model_dir.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json"} <= names


def test_loaded_tokenizer_has_qwen3_coder_tool_calling(loaded):
    _, tokenizer = loaded
    assert tokenizer.has_tool_calling
    assert tokenizer.tool_call_start == "<tool_call>"


def test_tool_call_round_trips_through_the_tokenizer_and_mlx_lm_parser(loaded):
    _, tokenizer = loaded
    text = tokenizer.decode(tokenizer.encode(CALL, add_special_tokens=False))
    body = text.removeprefix(tokenizer.tool_call_start).removesuffix(tokenizer.tool_call_end)
    call = tokenizer.tool_parser(body, [EXECUTE_CODE_TOOL])
    assert call == {"name": "execute_code", "arguments": {"code": 'print(read_file("README.md"))'}}


def test_mlx_lm_generate_drives_the_untrained_model(loaded):
    import mlx_lm

    model, tokenizer = loaded
    messages = [{"role": "system", "content": system_prompt()}, {"role": "user", "content": "hi"}]
    prompt = tokenizer.apply_chat_template(
        messages, tools=[EXECUTE_CODE_TOOL], add_generation_prompt=True
    )
    assert isinstance(mlx_lm.generate(model, tokenizer, prompt=prompt, max_tokens=4), str)


def test_the_whole_system_turn_is_one_token(loaded):
    _, tokenizer = loaded
    messages = [{"role": "system", "content": system_prompt()}]
    ids = tokenizer.apply_chat_template(messages, tools=[EXECUTE_CODE_TOOL])
    assert len(ids) <= 4  # <|im_start|>, the system turn, <|im_end|>, "\n"


def test_a_word_and_its_following_space_are_one_token(loaded):
    _, tokenizer = loaded
    ids = tokenizer.encode("called acme.", add_special_tokens=False)
    assert tokenizer.decode(ids[:1]) == "called "


def test_a_path_is_the_same_tokens_in_a_question_and_in_a_snippet(loaded):
    _, tokenizer = loaded
    path = tokenizer.encode("pkg/notes.txt", add_special_tokens=False)
    question = tokenizer.encode("What is in pkg/notes.txt?", add_special_tokens=False)
    snippet = tokenizer.encode('print(read_file("pkg/notes.txt"))', add_special_tokens=False)
    for ids in (question, snippet):
        assert any(ids[i : i + len(path)] == path for i in range(len(ids)))

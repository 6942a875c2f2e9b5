"""A llama layer run as one ``decode_block`` call gives what mlx-lm's own layer gives on
the same (dequantized) weights: the layer's output and the cache it leaves, for a plain
step, a step with drafts, a LoRA adapter, both RoPE forms and a cache that has to grow;
anything the kernel does not cover runs the layer itself; bad arguments get a clear
error."""

import mlx.core as mx
import mlx.nn as nn
import pytest
from mlx_lm.models.cache import KVCache, make_prompt_cache
from mlx_lm.models.llama import Model, ModelArgs

from punie_kernels import cpu_supported
from punie_kernels._kernels import causal_attention, decode_block, silu_mul
from punie_kernels.layers import BLOCK_PROJECTIONS, LowRank, Packed, PackedBlock, install

pytestmark = pytest.mark.skipif(not cpu_supported(), reason="needs AVX2, FMA and F16C")


def llama(traditional: bool = True) -> Model:
    args = ModelArgs(
        model_type="llama",
        hidden_size=128,
        num_hidden_layers=2,
        intermediate_size=192,
        num_attention_heads=4,
        num_key_value_heads=2,
        rms_norm_eps=1e-5,
        vocab_size=96,
        rope_theta=100000.0,
        rope_traditional=traditional,
    )
    mx.random.seed(7)
    model = Model(args)
    model.set_dtype(mx.float32)
    return model


def packed_pair(traditional: bool = True, lora: bool = False) -> tuple[Model, Model]:
    """(dense reference, the same model decoding through the kernels): the reference's
    weights are the packed ones dequantized, with any LoRA term fused in."""
    reference, model = llama(traditional), llama(traditional)
    packed: dict[str, Packed] = {}
    low_rank: dict[str, LowRank] = {}
    for name, layer in reference.named_modules():
        if not isinstance(layer, nn.Linear) or not name.startswith("model.layers"):
            continue
        q, scales, biases = mx.quantize(layer.weight, group_size=32, bits=4)
        dense = mx.dequantize(q, scales, biases, group_size=32, bits=4)
        packed[name] = Packed(q, scales, biases, 4)
        if lora and name.endswith(("q_proj", "v_proj", "down_proj")):
            key = mx.random.key(len(name))
            a = mx.random.normal((dense.shape[1], 4), key=key) * 0.1
            b = mx.random.normal((4, dense.shape[0]), key=mx.random.split(key)[0]) * 0.1
            low_rank[name] = LowRank(a, b, 2.0)
            dense = dense + 2.0 * (a @ b).T
        layer.weight = dense
    model.update(reference.parameters())
    install(model, packed, low_rank)
    for i, block in enumerate(model.layers):
        model.layers[i] = PackedBlock(block, KVCache)
    return reference, model


def run(model: Model, steps: list[list[int]]) -> tuple[list[mx.array], list[KVCache]]:
    cache = make_prompt_cache(model)
    outs = [model(mx.array(step)[None], cache=cache) for step in steps]
    return outs, cache


PROMPT = list(range(3, 40))


def same(a: mx.array, b: mx.array) -> bool:
    return bool(mx.allclose(a, b, rtol=1e-4, atol=1e-4).item())


@pytest.mark.parametrize("traditional", [True, False])
def test_a_step_gives_the_layers_own_logits(traditional: bool):
    reference, model = packed_pair(traditional)
    steps = [PROMPT, [5], [9]]
    want, _ = run(reference, steps)
    got, _ = run(model, steps)
    assert all(same(g, w) for g, w in zip(got, want, strict=True))


def test_a_step_with_drafts_is_causal_among_its_rows():
    reference, model = packed_pair()
    steps = [PROMPT, [5, 17, 17, 4, 60, 2, 8, 1, 33]]
    want, _ = run(reference, steps)
    got, _ = run(model, steps)
    assert same(got[1], want[1])


def test_the_step_leaves_the_cache_the_layer_would():
    reference, model = packed_pair()
    steps = [PROMPT, [5, 6, 7], [8]]
    _, want = run(reference, steps)
    _, got = run(model, steps)
    for g, w in zip(got, want, strict=True):
        assert g.offset == w.offset == len(PROMPT) + 4
        (got_keys, got_values), (want_keys, want_values) = g.keys_and_values(), w.keys_and_values()
        assert same(got_keys, want_keys)
        assert same(got_values, want_values)


def test_an_unfused_lora_term_gives_the_fused_adapters_logits():
    reference, model = packed_pair(lora=True)
    steps = [PROMPT, [5, 6], [7]]
    want, _ = run(reference, steps)
    got, _ = run(model, steps)
    assert all(same(g, w) for g, w in zip(got, want, strict=True))


def test_a_step_past_the_caches_capacity_grows_it():
    reference, model = packed_pair()
    steps = [list(range(2, 90)) * 3 + [4, 4, 4, 4], list(range(10, 19))]  # 268 + 9 > 256
    want, want_cache = run(reference, steps)
    got, got_cache = run(model, steps)
    assert got_cache[0].offset == want_cache[0].offset == 277
    assert same(got[1], want[1])


def test_a_trimmed_cache_is_read_only_up_to_its_offset():
    reference, model = packed_pair()
    want, _ = run(reference, [PROMPT, [5]])
    cache = make_prompt_cache(model)
    model(mx.array([*PROMPT, 60, 61, 62])[None], cache=cache)
    for layer_cache in cache:
        layer_cache.trim(3)
    assert same(model(mx.array([[5]]), cache=cache), want[1])


def test_a_prompt_after_a_cached_one_gives_the_layers_own_logits():
    reference, model = packed_pair(lora=True)
    steps = [PROMPT, list(range(50, 80)), [5]]
    want, _ = run(reference, steps)
    got, _ = run(model, steps)
    assert all(same(g, w) for g, w in zip(got, want, strict=True))


@pytest.mark.parametrize(("rows", "total"), [(40, 40), (24, 70)])
def test_prompt_attention_is_mlxs_causal_attention(rows: int, total: int):
    key = mx.random.key(rows)
    q = mx.random.normal((1, 6, rows, 32), key=key)
    k = mx.random.normal((1, 2, total, 32), key=mx.random.split(key)[0])
    v = mx.random.normal((1, 2, total, 32), key=mx.random.split(key)[1])
    want = mx.fast.scaled_dot_product_attention(q, k, v, scale=0.2, mask="causal")
    got = causal_attention(q, k, v, 0.2, 2)
    assert same(got, want.transpose(0, 2, 1, 3).reshape(1, rows, -1))


def test_prompt_attention_refuses_more_queries_than_keys():
    with pytest.raises(ValueError, match="T >= L"):
        causal_attention(
            mx.ones((1, 2, 9, 8)), mx.ones((1, 1, 4, 8)), mx.ones((1, 1, 4, 8)), 1.0, 2
        )


def test_swiglu_is_silu_of_the_gate_times_up():
    gate = mx.random.normal((1, 33, 100), key=mx.random.key(1)) * 4
    up = mx.random.normal((1, 33, 100), key=mx.random.key(2))
    assert same(silu_mul(gate, up, 2), nn.silu(gate) * up)


def test_a_layer_without_packed_projections_is_not_fusable():
    assert not PackedBlock.fusable(llama().layers[0])
    _, model = packed_pair()
    assert PackedBlock.fusable(model.layers[0].block)


def kernel_args(model: Model) -> dict:
    block = model.layers[0].block
    cache = KVCache()
    block(mx.ones((1, 4, 128)), "causal", cache)
    weights = []
    for name in BLOCK_PROJECTIONS:
        layer = block
        for part in name.split("."):
            layer = getattr(layer, part)
        weights += [layer._packed.weight, layer._packed.scales, layer._packed.biases]
    return dict(
        h=mx.ones((1, 1, 128)),
        keys=cache.keys,
        values=cache.values,
        offset=cache.offset,
        input_norm=block.input_layernorm.weight,
        post_norm=block.post_attention_layernorm.weight,
        norm_eps=1e-5,
        weights=weights,
        bits=[4] * 7,
        lora=[None] * 14,
        lora_scale=0.0,
        n_heads=4,
        attention_scale=0.125,
        rope_base=10000.0,
        rope_scale=1.0,
        rope_traditional=True,
        threads=2,
    )


def test_the_kernel_call_works_with_good_arguments():
    _, model = packed_pair()
    out, keys, values = decode_block(**kernel_args(model))
    assert out.shape == (1, 1, 128)
    assert keys.shape == values.shape == (1, 2, 1, 32)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"offset": 1000}, "offset must lie inside the cache"),
        ({"bits": [4] * 6}, "each of 7 projections"),
        ({"n_heads": 3}, "multiple of the KV heads"),
        ({"h": mx.ones((1, 1, 96))}, "norms' weights"),
        ({"bits": [3] + [4] * 6}, "bits must be 4 or 8"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_error(change: dict, message: str):
    _, model = packed_pair()
    with pytest.raises(ValueError, match=message):
        decode_block(**(kernel_args(model) | change))

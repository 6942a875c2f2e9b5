import mlx.core as mx

def cpu_supported() -> bool: ...
def quantized_decode_matmul(
    x: mx.array,
    w: mx.array,
    scales: mx.array,
    biases: mx.array,
    bits: int,
    lora_a: mx.array | None = None,
    lora_b: mx.array | None = None,
    lora_scale: float = 0.0,
    threads: int = 2,
    *,
    stream: mx.Stream | mx.Device | None = None,
) -> mx.array: ...
def allow_avx512(allowed: bool) -> None: ...
def decode_block(
    h: mx.array,
    keys: mx.array,
    values: mx.array,
    offset: int,
    input_norm: mx.array,
    post_norm: mx.array,
    norm_eps: float,
    weights: list[mx.array],
    bits: list[int],
    lora: list[mx.array | None],
    lora_scale: float,
    n_heads: int,
    attention_scale: float,
    rope_base: float,
    rope_scale: float,
    rope_traditional: bool,
    threads: int,
    *,
    stream: mx.Stream | mx.Device | None = None,
) -> list[mx.array]: ...
def dense_matmul(
    x: mx.array, w: mx.array, threads: int, *, stream: mx.Stream | mx.Device | None = None
) -> mx.array: ...
def causal_attention(
    queries: mx.array,
    keys: mx.array,
    values: mx.array,
    scale: float,
    threads: int,
    *,
    stream: mx.Stream | mx.Device | None = None,
) -> mx.array: ...
def silu_mul(
    gate: mx.array, up: mx.array, threads: int, *, stream: mx.Stream | mx.Device | None = None
) -> mx.array: ...

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

"""The packed decode product equals MLX's own product with the dequantized weights (up to
float32 rounding), on both vector paths, for every row count a decoding step or a batch
can have, with and without a LoRA term; bad arguments get a clear error."""

import mlx.core as mx
import pytest

from punie_kernels import _kernels, cpu_supported, quantized_decode_matmul
from punie_kernels._kernels import dense_matmul

pytestmark = pytest.mark.skipif(not cpu_supported(), reason="needs AVX2, FMA and F16C")


@pytest.fixture(params=["avx512", "avx2"])
def vector_path(request: pytest.FixtureRequest):
    _kernels.allow_avx512(request.param == "avx512")
    yield request.param
    _kernels.allow_avx512(True)


def packed(n: int, k: int, bits: int, scale_dtype: mx.Dtype = mx.float16):
    w = mx.random.normal((n, k), key=mx.random.key(n * k + bits)).astype(mx.float16)
    q, scales, biases = mx.quantize(w, group_size=32, bits=bits)
    return q, scales.astype(scale_dtype), biases.astype(scale_dtype)


def reference(x: mx.array, q: mx.array, scales: mx.array, biases: mx.array, bits: int):
    # The kernel dequantizes in float32 (q * scale + bias, as llama.cpp defines its blocks).
    w = mx.dequantize(
        q, scales.astype(mx.float32), biases.astype(mx.float32), group_size=32, bits=bits
    )
    return x @ w.T


def close(a: mx.array, b: mx.array) -> bool:
    return bool(mx.allclose(a, b, rtol=1e-5, atol=1e-4).item())


@pytest.mark.usefixtures("vector_path")
@pytest.mark.parametrize("bits", [4, 8])
@pytest.mark.parametrize("rows", [1, 2, 9, 16, 17, 40])
def test_the_product_is_the_dequantized_product(bits: int, rows: int):
    q, scales, biases = packed(200, 576, bits)
    x = mx.random.normal((rows, 576), key=mx.random.key(rows))
    got = quantized_decode_matmul(x, q, scales, biases, bits)
    assert close(got, reference(x, q, scales, biases, bits))


@pytest.mark.usefixtures("vector_path")
def test_float32_scales_work_as_well_as_float16_ones():
    q, scales, biases = packed(64, 1536, 4, mx.float32)
    x = mx.random.normal((3, 1536), key=mx.random.key(3))
    got = quantized_decode_matmul(x, q, scales, biases, 4)
    assert close(got, reference(x, q, scales, biases, 4))


@pytest.mark.usefixtures("vector_path")
def test_the_lora_term_is_added_unfused():
    q, scales, biases = packed(96, 576, 4)
    a = mx.random.normal((576, 16), key=mx.random.key(1)) * 0.1
    b = mx.random.normal((16, 96), key=mx.random.key(2)) * 0.1
    x = mx.random.normal((1, 4, 576), key=mx.random.key(4))
    got = quantized_decode_matmul(x, q, scales, biases, 4, a, b, 20.0)
    assert got.shape == (1, 4, 96)
    assert close(got, reference(x, q, scales, biases, 4) + 20.0 * ((x @ a) @ b))


def test_the_threads_split_the_work_without_changing_the_result():
    q, scales, biases = packed(1000, 576, 4)
    x = mx.random.normal((2, 576), key=mx.random.key(5))
    one = quantized_decode_matmul(x, q, scales, biases, 4, threads=1)
    assert mx.array_equal(one, quantized_decode_matmul(x, q, scales, biases, 4, threads=2)).item()


def test_a_width_other_than_4_or_8_bits_is_refused():
    q, scales, biases = mx.quantize(mx.ones((32, 64)), group_size=32, bits=2)
    with pytest.raises(ValueError, match="bits must be 4 or 8"):
        quantized_decode_matmul(mx.ones((1, 64)), q, scales, biases, 2)


def test_weights_that_do_not_fit_x_are_refused():
    q, scales, biases = packed(32, 64, 4)
    with pytest.raises(ValueError, match="disagree"):
        quantized_decode_matmul(mx.ones((1, 96)), q, scales, biases, 4)


def test_half_a_lora_pair_is_refused():
    q, scales, biases = packed(32, 64, 4)
    with pytest.raises(ValueError, match="both LoRA matrices"):
        quantized_decode_matmul(mx.ones((1, 64)), q, scales, biases, 4, mx.ones((64, 4)))


def test_a_strided_x_is_read_as_its_values():
    q, scales, biases = packed(48, 576, 4)
    x = mx.random.normal((576, 3), key=mx.random.key(6)).T  # a transposed view
    got = quantized_decode_matmul(x, q, scales, biases, 4)
    assert close(got, reference(x, q, scales, biases, 4))


@pytest.mark.parametrize("threads", [1, 2])
def test_the_split_prompt_product_is_blas_product(threads: int):
    x = mx.random.normal((1, 70, 96), key=mx.random.key(7))
    w = mx.random.normal((200, 96), key=mx.random.key(8))
    assert close(dense_matmul(x, w, threads), x @ w.T)


def test_a_prompt_product_of_other_dtypes_is_refused():
    with pytest.raises(ValueError, match="must be float32"):
        dense_matmul(mx.ones((4, 8), dtype=mx.float16), mx.ones((3, 8)), 2)

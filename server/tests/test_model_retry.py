"""A model that failed to load is tried again on the next request."""

from pathlib import Path

import pytest

from punie_server.model_manager import ModelLoadError, ModelManager


async def test_a_failed_load_is_retried_on_the_next_request(tmp_path: Path):
    models = ModelManager(str(tmp_path / "model"))
    with pytest.raises(ModelLoadError, match="does not exist"):
        await models.get()
    (tmp_path / "model").mkdir()  # put back, but still not a model
    with pytest.raises(ModelLoadError, match=r"no config\.json"):
        await models.get()
    assert models.state == "failed"
    models.shutdown()

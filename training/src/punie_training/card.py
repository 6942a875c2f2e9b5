"""The model card written next to the weights: ``card.json`` and ``card.md``."""

from pathlib import Path

from pydantic import BaseModel

from punie_training.dataset import DataReport
from punie_training.decode import DecodeResult
from punie_training.fit import FitSettings, SplitLoss


class ModelCard(BaseModel):
    """How a model was made and how well it does on held-out data."""

    preset: str
    base_model: str | None = None
    seed: int
    command: str
    data: DataReport
    architecture: dict[str, int | float | str | bool]
    parameters: int
    size_bytes: int
    training: FitSettings
    losses: dict[str, SplitLoss]
    decode: DecodeResult
    decode_tool_rate: float
    decode_direct_rate: float
    decode_answer_rate: float
    seconds: dict[str, float]

    def write(self, out_dir: Path) -> None:
        """Write ``card.json`` and ``card.md`` into ``out_dir``."""
        (out_dir / "card.json").write_text(self.model_dump_json(indent=2) + "\n")
        (out_dir / "card.md").write_text(self.markdown())

    def markdown(self) -> str:
        """A human-readable card."""
        totals = self.data.totals()
        lines = [
            f"# Punie model card ({self.preset})",
            "",
            f"Made with `{self.command}` (seed {self.seed}"
            + (f", base model `{self.base_model}`" if self.base_model else "")
            + f") in {self.seconds.get('total', 0):.0f} s.",
            "",
            "## Model",
            "",
            f"- parameters: {self.parameters:,}; weights on disk: {self.size_bytes / 1e6:.1f} MB",
            "- architecture: "
            + ", ".join(f"{k}={v}" for k, v in sorted(self.architecture.items())),
            f"- training: {self.training.iters} iters, batch {self.training.batch_size}, "
            f"lr {self.training.learning_rate:g}",
            "",
            "## Data",
            "",
            f"Data hash `{self.data.data_hash}`; split {self.data.split_sizes}. Every kept tool "
            "example was executed in the sandbox; failures are counted, not hidden.",
            "",
            "| category | kind | generated | executed | kept | failed | eval-guarded |",
            "|---|---|---|---|---|---|---|",
        ]
        for name, c in sorted(self.data.categories.items()):
            lines.append(
                f"| {name} | {c.kind} | {c.generated} | {c.executed} | {c.kept} | {c.failed} "
                f"| {c.eval_guarded} |"
            )
        lines += [
            f"| **total** | | {totals['generated']} | {totals['executed']} | {totals['kept']} "
            f"| {totals['failed']} | {totals['eval_guarded']} |",
            "",
            "## Loss and perplexity (assistant tokens only)",
            "",
            "| split | loss | perplexity |",
            "|---|---|---|",
        ]
        lines += [f"| {k} | {v.loss:.4f} | {v.perplexity:.3f} |" for k, v in self.losses.items()]
        d = self.decode
        lines += [
            "",
            "## Held-out decode check (test split, greedy)",
            "",
            f"- tool examples: {d.tool_passed}/{d.tool_total} = {self.decode_tool_rate:.1%} "
            "(parseable `execute_code` call whose snippet prints the reference output)",
            f"- of which name a path under the project's own package: "
            f"{d.name_path_passed}/{d.name_path_total} = {d.name_path_rate:.1%}",
            f"- direct examples: {d.direct_passed}/{d.direct_total} = "
            f"{self.decode_direct_rate:.1%} (no tool call)",
            f"- replies after the reference step: {d.answer_passed}/{d.answer_total} = "
            f"{self.decode_answer_rate:.1%} (greedy reply is the reference reply, token for token)",
        ]
        if d.misses:
            lines += ["", "Misses:", ""] + [f"- {m}" for m in d.misses]
        lines += ["", "## Time (s)", ""]
        lines += [f"- {k}: {v:.1f}" for k, v in self.seconds.items()]
        return "\n".join(lines) + "\n"

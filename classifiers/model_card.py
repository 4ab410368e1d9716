"""Render classifiers/MODEL_CARD.md from a model's metadata and its evaluation."""

from __future__ import annotations

from pathlib import Path

import jinja2

from classifiers.corpus import HELDOUT_FRACTION
from classifiers.labels import ACTIONS
from classifiers.model import Model

TEMPLATE = "model_card.md.j2"
CARD_PATH = Path(__file__).with_name("MODEL_CARD.md")


def render(model: Model, report: dict) -> str:
    """The model card as Markdown (no text from the internet goes in, so no escaping)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return env.get_template(TEMPLATE).render(
        meta=model.metadata, report=report, actions=ACTIONS, heldout_fraction=HELDOUT_FRACTION
    )


def write(model: Model, report: dict, path: Path = CARD_PATH) -> Path:
    path.write_text(render(model, report), encoding="utf-8")
    return path

"""Where things live: paths and URLs from the environment, with embedded defaults."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Settings:
    var_dir: Path
    database_url: str
    profile_path: Path
    model_path: Path

    @property
    def reports_dir(self) -> Path:
        return self.var_dir / "reports"


def load_settings() -> Settings:
    """Read ``VOELSPRIET_*`` environment variables; defaults make the offline demo work."""
    var_dir = Path(os.environ.get("VOELSPRIET_VAR_DIR", ROOT / "var")).resolve()
    database_url = os.environ.get(
        "VOELSPRIET_DATABASE_URL", f"sqlite:///{var_dir / 'voelspriet.db'}"
    )
    profile = Path(os.environ.get("VOELSPRIET_PROFILE", ROOT / "config" / "heemstede.yaml"))
    model = Path(os.environ.get("VOELSPRIET_MODEL", ROOT / "classifiers" / "model" / "model.skops"))
    return Settings(var_dir, database_url, profile.resolve(), model.resolve())

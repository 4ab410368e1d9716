"""Pseudonyms for private persons: a keyed hash, so no handle of a resident reaches a report.

The municipality's own accounts (profile.municipality.accounts) and news outlets (platform
``news``) are public voices and keep their names. Everybody else becomes ``inwoner 3f9a``: the
same person gets the same pseudonym in every report made with the same key, and without the key
the handle cannot be recovered by hashing guessed handles.

The key comes from ``VOELSPRIET_PSEUDONYM_KEY``; without it, a random key is created once in
``var/pseudonym.key`` (readable by the owner only) so pseudonyms stay stable between weeks.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reports.templating import inert

KEY_ENV = "VOELSPRIET_PSEUDONYM_KEY"
KEY_FILE = "pseudonym.key"
PUBLIC_PLATFORMS = frozenset({"news"})

# @handle, @user@instance, u/user and /u/user as they appear inside post texts.
_MENTIONED_HANDLE = re.compile(
    r"(?<![\w@/])(?:@[\w.\-]+(?:@[\w\-]+(?:\.[\w\-]+)+)?|/?u/[\w\-]+)", re.UNICODE
)
# A link in a text: a profile or post link names its author (x.com/<handle>/status/..,
# mastodon.social/@<handle>), so a report shows none. Trailing punctuation stays text.
_LINK = re.compile(r"(?i)(?<![\w@/])(?:https?://|www\.)\S+?(?=[.,;:!?)\]'\"]*(?:\s|$))")


def load_key(var_dir: Path) -> bytes:
    """The pseudonym key from the environment, else from (or newly into) var_dir."""
    from_env = os.environ.get(KEY_ENV)
    if from_env:
        return from_env.encode("utf-8")
    path = Path(var_dir) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32))
    return path.read_text(encoding="ascii").strip().encode("ascii")


def _normalise(handle: str) -> str:
    handle = handle.strip().lower()
    for prefix in ("/u/", "u/", "@"):
        handle = handle.removeprefix(prefix)
    return handle


@dataclass(frozen=True)
class Pseudonymiser:
    """Turns author handles (and handles quoted in texts) into what a report may show."""

    key: bytes
    public_accounts: Mapping[str, str]  # platform -> the municipality's own handle

    @classmethod
    def for_profile(cls, key: bytes, profile) -> Pseudonymiser:
        return cls(key, dict(profile.municipality.accounts))

    def _is_public(self, platform: str | None, handle: str) -> bool:
        if platform in PUBLIC_PLATFORMS:
            return True
        own = {_normalise(h) for h in self.public_accounts.values()}
        if platform is not None and platform in self.public_accounts:
            return _normalise(handle) == _normalise(self.public_accounts[platform])
        return _normalise(handle) in own

    def pseudonym(self, handle: str) -> str:
        """``inwoner`` plus four hex digits of HMAC-SHA256(key, normalised handle)."""
        digest = hmac.new(self.key, _normalise(handle).encode("utf-8"), hashlib.sha256)
        return f"inwoner {digest.hexdigest()[:4]}"

    def author(self, platform: str | None, handle: str | None) -> str:
        """The name a report shows for the author of a mention."""
        if not handle:
            return "onbekend"
        if self._is_public(platform, handle):
            return handle
        return self.pseudonym(handle)

    def text(self, text: str | None) -> str:
        """The text without links and with every quoted private handle replaced by its pseudonym."""
        if not text:
            return ""
        text = _LINK.sub("[link]", inert(text))

        def replace(match: re.Match) -> str:
            handle = match.group(0)
            return handle if self._is_public(None, handle) else self.pseudonym(handle)

        return _MENTIONED_HANDLE.sub(replace, text)

    def link(self, platform: str | None, handle: str | None, url: str | None) -> str | None:
        """A link to the original only where it cannot reveal a private person's handle."""
        if not url or not url.startswith(("https://", "http://")):
            return None
        if platform in PUBLIC_PLATFORMS or (handle and self._is_public(platform, handle)):
            return url
        return None

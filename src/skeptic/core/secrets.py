"""Redaction of credentials from everything Skeptic writes (store, report, Inspect logs, error lines).

Skeptic never reads a key into its config, but a provider may echo one back (``Incorrect API key provided:
...``), and a base URL may carry ``user:password@``. :func:`redact` replaces

- the exact value of every environment variable whose *name* looks key-like (``KEY``, ``TOKEN``,
  ``SECRET``, ``PASSWORD``, ``PASSWD``, ``CREDENTIAL``, ``AUTH``), whatever the value looks like (a key without
  an ``sk-`` prefix is a key too), when it is at least :data:`MIN_SECRET_LEN` characters long;
- the credentials of any URL in an environment variable (``scheme://user:password@host``);
- in the text itself, the ``user:password@`` part of any URL, the value of ``api_key=``/``token=``-style
  parameters and of a URL's credential-named query parameters (``?key=``, ``?sig=``, ``?code=``, ``?auth=``),
  a token-shaped segment of a URL's path, and anything shaped like an ``sk-`` key;

with ``[redacted]``. Values are read from the environment at each call, so keys set later are covered.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

REDACTED = "[redacted]"
MIN_SECRET_LEN = 4
"""Shorter values are not redacted: replacing every ``"abc"`` or ``"1"`` would mangle ordinary text. A 4- to
7-character key is redacted too (it was not, below 8), unless it is a flag word (:data:`NOT_SECRETS`)."""
NOT_SECRETS = frozenset({"true", "false", "yes", "no", "none", "null", "on", "off", "auto", "default"})
"""Values of key-like variables that are settings, not keys (``HF_HUB_DISABLE_TOKEN=true``): replacing every
``true`` would corrupt the JSON being redacted."""

KEYLIKE_NAME = re.compile(r"KEY|TOKEN|SECRET|PASSW(?:OR)?D|CREDENTIAL|AUTH(?!OR)", re.IGNORECASE)
SETTING_NAME = re.compile(r"(?:MODE|TYPE|KIND|METHOD|SCHEME)$", re.IGNORECASE)
"""Key-like names that hold a setting, not a key (``RAY_AUTH_MODE=token``, ``*_AUTH_TYPE=bearer``): redacting their
value would replace an ordinary word everywhere (a claim id containing "token" was mangled in CI)."""
SHORT_KEY_LEN = 8
"""Below this length a value is redacted only when it is key-shaped (a digit or a symbol in it): a 4- to 7-letter
word (``token``, ``bearer``) is far likelier to be a setting than a key, and replacing it would corrupt text."""


def _key_shaped(value: str) -> bool:
    """Whether an environment value is redacted: long enough, not a flag word, and (when short) not a plain word."""
    if len(value) < MIN_SECRET_LEN or value.lower() in NOT_SECRETS:
        return False
    return len(value) >= SHORT_KEY_LEN or re.search(r"[^A-Za-z]", value) is not None


_URL_CREDENTIALS = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<cred>[^/@\s:]*:[^/@\s]*)@")
_KEY_PARAM = re.compile(r"(?P<name>(?:api[_-]?key|access[_-]?token|token|secret|password)=)[^&\s'\"]+", re.IGNORECASE)
_URL_KEY_PARAM = re.compile(
    r"(?P<name>[?&;][\w.-]*(?:key|sig|signature|code|auth|token|secret|pass|cred|session)[\w.-]*=)[^&#\s'\"]+",
    re.IGNORECASE,
)
"""A credential-named query parameter of a URL (``?key=``, ``&sig=``, ``?code=``, ``?auth=``): only after ``?``,
``&`` or ``;``, so ``exit code=1`` in prose is left alone."""
_URL_PATH_TOKEN = re.compile(
    r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/\s'\"]+(?:/[^/\s'\"?#]*)*?/)"
    r"(?=[^/\s'\"?#]*\d)(?=[^/\s'\"?#]*[A-Za-z])[A-Za-z0-9_\-.~]{20,}"
)
"""A token in a URL's path (``https://host/hooks/4f9aK...``): a segment of 20 or more characters with letters and
digits."""
_SK_KEY = re.compile(r"\bsk-[A-Za-z0-9_-]{8,}")


def secret_values(environ: Mapping[str, str] | None = None) -> list[str]:
    """The values to redact, longest first (so a value containing another is replaced whole)."""
    env = os.environ if environ is None else environ
    return list(_secret_values(tuple(env.items())))


@functools.lru_cache(maxsize=1)
def _secret_values(items: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    """:func:`secret_values` of one environment's items, kept for the last environment seen: a log filter redacts
    every record, and the environment rarely changes between two records, so the scan (~0.1 ms) is redone only when
    it did."""
    found: set[str] = set()
    for name, value in items:
        if KEYLIKE_NAME.search(name) and not SETTING_NAME.search(name) and _key_shaped(value):
            found.add(value)
        if "@" not in value:  # no URL credentials without an "@" (a cheap test before the regex)
            continue
        for m in _URL_CREDENTIALS.finditer(value):
            password = m.group("cred").partition(":")[2]
            found.update(v for v in (m.group("cred"), password) if len(v) >= 4)
    return tuple(sorted(found, key=len, reverse=True))


def redact(text: str, environ: Mapping[str, str] | None = None) -> str:
    """``text`` with every secret value (see the module docstring) replaced by ``[redacted]``."""
    for value in secret_values(environ):
        if value in text:
            text = text.replace(value, REDACTED)
        escaped = json.dumps(value)[1:-1]  # the same value as it appears inside a JSON string
        if escaped != value and escaped in text:
            text = text.replace(escaped, REDACTED)
    # Each pattern runs only when the literal it cannot match without is in the text: the same result, and an
    # Inspect log's 1.5 MB of JSON (no "@", "=" or "sk-" in it) is redacted ~4x faster (benchmark in the README).
    if "@" in text:
        text = _URL_CREDENTIALS.sub(lambda m: m.group("scheme") + REDACTED + "@", text)
    if "=" in text:
        text = _KEY_PARAM.sub(lambda m: m.group("name") + REDACTED, text)
        text = _URL_KEY_PARAM.sub(lambda m: m.group("name") + REDACTED, text)
    if "://" in text:
        text = _URL_PATH_TOKEN.sub(lambda m: m.group("head") + REDACTED, text)
    return _SK_KEY.sub(REDACTED, text) if "sk-" in text else text


def redact_optional(text: str | None) -> str | None:
    return None if text is None else redact(text)


def _redact_bytes(data: bytes) -> bytes:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data  # binary member (an image): nothing textual to redact
    clean = redact(text)
    return data if clean == text else clean.encode("utf-8")


def _zstd_zip_support() -> None:
    """Let ``zipfile`` read and write zstd members (method 93), as Inspect writes its ``.eval`` logs.

    Python < 3.14's ``zipfile`` has no zstd; Inspect patches it in by importing ``zipfile_zstd`` (one of its
    dependencies), but only once Inspect's log code is imported. Without this, redacting an ``.eval`` file in a
    process that had not imported Inspect raised ``NotImplementedError`` ("That compression method is not
    supported"). Where ``zipfile_zstd`` is not installed, such a file still raises: never skipped unredacted."""
    with contextlib.suppress(ImportError):
        import zipfile_zstd  # type: ignore[import-not-found, import-untyped, unused-ignore]  # noqa: F401


def redact_file(path: Path | str) -> bool:
    """Redact a log file in place: an Inspect ``.eval`` (a zip of JSON) member by member, else as text.

    The file is rewritten through a temporary file and moved into place. Returns True when it changed.
    """
    p = Path(path)
    if zipfile.is_zipfile(p):
        _zstd_zip_support()
        with zipfile.ZipFile(p) as z:
            members = [(info, z.read(info.filename)) for info in z.infolist()]
        cleaned = [(info, _redact_bytes(data)) for info, data in members]
        if all(a is b for (_, a), (_, b) in zip(members, cleaned, strict=True)):
            return False
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=".redact-", suffix=p.suffix)
        os.close(fd)
        with zipfile.ZipFile(tmp, "w") as out:
            for info, data in cleaned:
                out.writestr(info, data)
        shutil.move(tmp, p)
        return True
    data = p.read_bytes()
    clean = _redact_bytes(data)
    if clean is data:
        return False
    p.write_bytes(clean)
    return True


def redact_files(paths: Iterable[Path | str]) -> int:
    """Redact every existing file of ``paths`` in place; the number changed."""
    return sum(redact_file(p) for p in paths if Path(p).is_file())


__all__ = ["REDACTED", "redact", "redact_file", "redact_files", "redact_optional", "secret_values"]

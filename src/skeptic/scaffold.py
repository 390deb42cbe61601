"""``skeptic new NAME``: an installable study package that passes ``skeptic check`` as generated.

The package is a small real study with a known answer (the birthday problem: the exact product against a
simulation), laid out in the study shape (config, experiment, claims, figures, brief, faults, study), declared
through the ``skeptic.studies`` entry point, with a test that runs the contract. Its README says what to replace.
The templates live in ``skeptic/_scaffold`` (``__NAME__`` is the study's name, ``__PKG__`` its Python package).
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import tempfile
from pathlib import Path

from skeptic.core.errors import UsageError, shown

TEMPLATES = Path(__file__).parent / "_scaffold"
NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


def package_name(name: str) -> str:
    """The Python package of study ``name``: dashes become underscores (``my-study`` -> ``my_study``)."""
    return name.replace("-", "_")


def check_name(name: str) -> None:
    """A usage error unless ``name`` is a fresh study name whose package name imports nothing already installed."""
    from skeptic.core import discovery

    if not NAME.match(name) or len(name) > 60:
        raise UsageError(f"study name {shown(name)}: use lowercase letters, digits and single dashes, e.g. my-study")
    if name in discovery.names():
        raise UsageError(f"a study named {name!r} is already installed: choose another name")
    if importlib.util.find_spec(package_name(name)) is not None:
        raise UsageError(f"a Python package {package_name(name)!r} is already importable: choose another name")


def scaffold(name: str, where: Path) -> Path:
    """Write the package of study ``name`` into ``where/name`` and return that folder; nothing is written on a
    usage error (a bad or taken name, an existing folder, an unwritable place)."""
    check_name(name)
    root = Path(where) / name
    if root.exists():
        raise UsageError(f"{root} already exists: choose another --dir or name")
    if not Path(where).is_dir():
        raise UsageError(f"--dir {shown(str(where))} is not a folder")
    pkg = package_name(name)
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=where))
    except OSError as e:
        raise UsageError(f"cannot write in {where}: {e.strerror}") from None
    try:
        for template in sorted(TEMPLATES.rglob("*.tmpl")):
            rel = template.relative_to(TEMPLATES).with_suffix("")
            target = staging / str(rel).replace("__PKG__", pkg)
            target.parent.mkdir(parents=True, exist_ok=True)
            text = template.read_text(encoding="utf-8").replace("__NAME__", name).replace("__PKG__", pkg)
            target.write_text(text, encoding="utf-8")
        staging.rename(root)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return root

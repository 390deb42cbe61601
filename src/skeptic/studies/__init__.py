"""Skeptic's own studies, one package each.

Nothing is imported here: each study is declared in pyproject.toml under the ``skeptic.studies`` entry point
group, as any outside study is, and is loaded when it is named or listed (see :mod:`skeptic.core.discovery`).
"""
